// natural 8 has no `exports` map; the deep paths resolve but the tfidf file ships no typing of
// its own default export. Only the pieces we use are declared (see nlp/classify.ts).
declare module 'natural/lib/natural/tfidf/tfidf.js' {
  class TfIdf {
    addDocument(document: string[]): void;
    idf(term: string): number;
  }
  export default TfIdf;
}
