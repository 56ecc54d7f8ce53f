// Chinese names for topic and intent ids on the bench and editor pages. The server sends the
// maps (knowledge/labels.ts builds them); the id stays beside the name in small type so staff
// can still find it in the files. An id with no name is shown alone, marked, never guessed.
(() => {
  const { h } = window.ConsoleKit;

  /** kind: 'topics' | 'intents'; an id with a dot is an intent when kind is omitted. */
  function nameOf(labels, id, kind) {
    const maps = labels || { topics: {}, intents: {} };
    const map = maps[kind || (String(id).includes('.') ? 'intents' : 'topics')] || {};
    return Object.hasOwn(map, id) ? map[id] : '';
  }

  /** `法律援助怎么申请？ legal_aid.how_to_apply` as one element. */
  function named(labels, id, kind) {
    if (!id) return h('span', { className: 'muted', text: '—' });
    const name = nameOf(labels, id, kind);
    if (!name) return h('span', { className: 'named unknown', 'data-id': id }, h('code', { text: id }));
    return h('span', { className: 'named', 'data-id': id }, h('span', { className: 'name', text: name }), h('small', { className: 'id' }, h('code', { text: id })));
  }

  /** Plain text for places that cannot hold markup (chart labels, option text). */
  function withId(labels, id, kind) {
    const name = nameOf(labels, id, kind);
    return name ? `${name}（${id}）` : id;
  }

  window.StaffNames = { nameOf, named, withId };
})();
