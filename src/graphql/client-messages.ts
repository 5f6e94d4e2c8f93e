/**
 * graphql-js quotes rejected values in its messages (`Int cannot represent non-integer value: "…"`,
 * `ID cannot represent value: { … }`, `Expected value of type "Int", found "…"`); a value can be a
 * credential. These rewrites keep what was wrong and where, and drop the value.
 */
const VALUE_REWRITES: Array<[RegExp, string]> = [
  // Scalar coercion: "<Type> cannot represent <what>: <value>"
  [/\b(\w+ cannot represent [^:]*):[\s\S]*$/, '$1.'],
  // Enum coercion: 'Value "<value>" does not exist in "<Enum>" enum.' (the value is not escaped: match greedily)
  [/\bValue "[\s\S]*" does not exist in "(\w+)" enum\.?[\s\S]*$/, 'The value is not one of the "$1" enum\'s values.'],
  // An input object key the type does not have: the key is the client's, and may be anything.
  [/\bField "[\s\S]*" is not defined by type "(\w+)"\.?[\s\S]*$/, 'A field is not defined by type "$1".'],
  // Literal checks: 'Expected value of type "<T>", found <literal>; <reason>'
  [/(Expected value of type "[^"]+"), found [\s\S]*$/, '$1.'],
  // Syntax errors quote the offending string token.
  [/\b(found|Unexpected) (Block)?String "[\s\S]*$/, '$1 a string.'],
  // Any variable message that still carries its value.
  [/^(Variable "\$\w+") got invalid value [\s\S]*$/, '$1 got an invalid value.'],
];

export function withoutValues(message: string): string {
  for (const [pattern, replacement] of VALUE_REWRITES) {
    if (pattern.test(message)) return message.replace(pattern, replacement);
  }
  return message;
}
