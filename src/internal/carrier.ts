/**
 * A base class whose constructor returns its argument: `super(o)` in a subclass then makes
 * `this` be `o`, so the subclass's private fields are installed on an object it did not create.
 * awaitwhat keeps its per-promise state this way: a private field is invisible to the program
 * (`util.inspect`, `Object.getOwnPropertySymbols` and `Reflect.ownKeys` ignore it), costs about
 * what a property does, and is held by the promise alone (nothing kept alive).
 */
export class Carrier {
  constructor(o: object) {
    return o;
  }
}
