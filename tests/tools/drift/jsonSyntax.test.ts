/** Locating JSON syntax errors, so bad input names a line and column and truncation is told apart. */
import * as fc from "fast-check";
import { locateJsonError } from "../../../tools/drift/jsonSyntax";

test("valid JSON has no error", () => {
  fc.assert(fc.property(fc.json(), (text) => expect(locateJsonError(text)).toBeUndefined()));
});

test("every strict prefix of an object is truncated, never a mid-document error", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.nat(), (obj, cut) => {
      const text = JSON.stringify(obj);
      const prefix = text.slice(0, cut % text.length);
      expect(locateJsonError(prefix)).toMatchObject({ truncated: true, offset: prefix.length });
    }),
  );
});

test("a syntax error inside names line, column and what was expected", () => {
  expect(locateJsonError('{\n  "steps": [,]\n}')).toEqual({ offset: 14, line: 2, column: 13, truncated: false, expected: "a value" });
  expect(locateJsonError('{"a": 1} trailing')).toMatchObject({ line: 1, column: 10, expected: "the end of the document" });
  expect(locateJsonError('{"a" 1}')).toMatchObject({ column: 6, expected: "':'" });
});
