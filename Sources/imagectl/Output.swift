import ArgumentParser
import Foundation
import RegistryAPI

/// How a read command prints what it found.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// Aligned columns under a header row, for people.
    case table
    /// The API's own JSON, keys sorted, one document: for scripts.
    case json
    /// The same fields as YAML.
    case yaml
}

/// `-o table|json|yaml` and `--no-headers`, shared by every read command.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: "table, json or yaml.")
    var format: OutputFormat = .table

    @Flag(help: "Leave out the table's header row.")
    var noHeaders = false

    /// Prints `items` as a table of `columns`, or as a JSON or YAML list.
    func print<Item: Encodable>(_ items: [Item], columns: [Column<Item>]) throws {
        switch format {
        case .table: Swift.print(Self.table(items, columns: columns, headers: !noHeaders), terminator: "")
        case .json, .yaml: try document(items)
        }
    }

    /// Prints one resource: a one-row table, or a JSON or YAML object.
    func print<Item: Encodable>(_ item: Item, columns: [Column<Item>]) throws {
        switch format {
        case .table: Swift.print(Self.table([item], columns: columns, headers: !noHeaders), terminator: "")
        case .json, .yaml: try document(item)
        }
    }

    private func document(_ value: some Encodable) throws {
        let encoder = RegistryJSON.encoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(value)
        switch format {
        case .json: Swift.print(String(decoding: json, as: UTF8.self))
        case .yaml: Swift.print(YAMLText.document(try RegistryJSON.decoder().decode(JSONValue.self, from: json)))
        case .table: break
        }
    }

    /// Columns padded to their widest cell, two spaces apart.
    static func table<Item>(_ items: [Item], columns: [Column<Item>], headers: Bool) -> String {
        var rows = items.map { item in columns.map { $0.value(item) } }
        if headers { rows.insert(columns.map(\.title), at: 0) }
        guard !rows.isEmpty else { return "" }
        let widths = columns.indices.map { index in rows.map { $0[index].count }.max() ?? 0 }
        return rows.map { row in
            let line = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed())
        }.joined(separator: "\n") + "\n"
    }
}

/// One column of a table: its title and how a row's cell reads.
struct Column<Item>: Sendable {
    let title: String
    let value: @Sendable (Item) -> String

    init(_ title: String, _ value: @escaping @Sendable (Item) -> String) {
        self.title = title
        self.value = value
    }
}

/// A JSON value written as YAML: mappings with their keys sorted, block
/// sequences, and strings double-quoted (so that no text is ever read back
/// as a number, a boolean or null).
enum YAMLText {
    static func document(_ value: JSONValue) -> String {
        switch value {
        case .object(let fields) where !fields.isEmpty: mapping(fields, indent: 0)
        case .array(let items) where !items.isEmpty: sequence(items, indent: 0)
        default: scalar(value) + "\n"
        }
    }

    private static func mapping(_ fields: [String: JSONValue], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return fields.keys.sorted().map { key in
            pad + name(key) + ":" + nested(fields[key] ?? .null, indent: indent + 2)
        }.joined()
    }

    private static func sequence(_ items: [JSONValue], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return items.map { item in
            switch item {
            case .object(let fields) where !fields.isEmpty:
                // The first key on the dash's line, the rest below it.
                let body = mapping(fields, indent: indent + 2)
                return pad + "- " + body.dropFirst(indent + 2)
            case .array(let inner) where !inner.isEmpty:
                return pad + "-\n" + sequence(inner, indent: indent + 2)
            default:
                return pad + "- " + scalar(item) + "\n"
            }
        }.joined()
    }

    /// A value after its key: inline when a scalar, on the lines below otherwise.
    private static func nested(_ value: JSONValue, indent: Int) -> String {
        switch value {
        case .object(let fields) where !fields.isEmpty: "\n" + mapping(fields, indent: indent)
        case .array(let items) where !items.isEmpty: "\n" + sequence(items, indent: indent)
        default: " " + scalar(value) + "\n"
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .string(let text): quoted(text)
        case .array: "[]"
        case .object: "{}"
        }
    }

    /// A key as it is when it is a plain field name, quoted otherwise.
    private static func name(_ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { (0x61...0x7A).contains($0) || $0 == 0x5F || (0x30...0x39).contains($0) }
        return plain ? key : quoted(key)
    }

    /// A YAML double-quoted scalar (JSON's escapes are YAML's too).
    static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
