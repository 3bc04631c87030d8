/// Splits a SQL file into single statements, because PostgreSQL's extended
/// query protocol (which PostgresNIO uses) runs one statement at a time.
///
/// Semicolons inside quotes, identifiers, comments and dollar-quoted bodies
/// do not split. Comments are kept with the statement that follows them;
/// statements that hold nothing but comments and spaces are dropped.
public enum SQLScript {
    public static func statements(in script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let text = String(current)
            if hasCode(text) {
                statements.append(text.trimmingWhitespace())
            }
            current = String.UnicodeScalarView()
        }

        /// Copies characters up to and including `terminator` (or the end).
        func copy(until terminator: [Unicode.Scalar], from start: Int) -> Int {
            var position = start
            while position < characters.count {
                if characters[position...].starts(with: terminator) {
                    current.append(contentsOf: terminator)
                    return position + terminator.count
                }
                current.append(characters[position])
                position += 1
            }
            return position
        }

        while index < characters.count {
            let character = characters[index]
            let rest = characters[index...]
            if rest.starts(with: ["-", "-"]) {
                index = copy(until: ["\n"], from: index)
            } else if rest.starts(with: ["/", "*"]) {
                current.append(contentsOf: ["/", "*"])
                index = copy(until: ["*", "/"], from: index + 2)
            } else if character == "'" || character == "\"" {
                current.append(character)
                index = copy(until: [character], from: index + 1)
            } else if character == "$", let tag = dollarTag(in: characters, at: index) {
                current.append(contentsOf: tag)
                index = copy(until: tag, from: index + tag.count)
            } else if character == ";" {
                flush()
                index += 1
            } else {
                current.append(character)
                index += 1
            }
        }
        flush()
        return statements
    }

    /// The `$tag$` opening a dollar-quoted string at `index`, if there is one.
    private static func dollarTag(in characters: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar]? {
        var end = index + 1
        while end < characters.count, characters[end] == "_" || characters[end].properties.isAlphabetic
            || ("0"..."9").contains(characters[end])
        {
            end += 1
        }
        guard end < characters.count, characters[end] == "$" else { return nil }
        return Array(characters[index...end])
    }

    /// True when `text` holds something other than comments and whitespace.
    private static func hasCode(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in
            let trimmed = line.trimmingWhitespace()
            return !trimmed.isEmpty && !trimmed.hasPrefix("--")
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
