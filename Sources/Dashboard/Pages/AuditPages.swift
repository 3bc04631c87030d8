import Foundation
import Hummingbird
import RegistryAPI
import RegistryHTTP

/// The audit trail with the filters of `GET /v1/audit`, newest first, paged.
struct AuditPages: Sendable {
    let context: DashboardContext
    static let filters = ["type", "namespace", "image", "build", "user", "since", "until"]

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("audit") { request, _ in
            await context.page(request) { viewer in
                let query = request.uri.queryParameters
                let chosen = Self.filters.map { ($0, query.get($0)) }
                let page = try await context.api.read(
                    "/v1/audit?limit=50&" + Formatting.queryString(chosen + [("cursor", query.get("cursor"))]),
                    token: viewer.token, as: Page<AuditEntryResource>.self)
                var values: [String: Any] = [
                    "events": page.items.map(Self.row), "empty": page.items.isEmpty,
                    "filter": Dictionary(uniqueKeysWithValues: chosen.map { ($0.0, $0.1 ?? "") }),
                ]
                if let next = page.nextCursor {
                    values["next"] = "/ui/audit?" + Formatting.queryString(chosen + [("cursor", next)])
                }
                return context.renderer.page("audit", title: "Audit", section: "audit", viewer: viewer, values: values)
            }
        }
    }

    static func row(_ entry: AuditEntryResource) -> [String: Any] {
        var row: [String: Any] = [
            "id": entry.id.uuidString.lowercased(), "type": entry.type, "actor": entry.actor,
            "position": entry.position.description, "when": Formatting.time(entry.time) ?? [:],
            "details": details(of: entry.data), "rejected": Formatting.section(entry.rejected),
        ]
        let image = entry.data["image_id"]?.stringValue ?? entry.data["resolution"]?["image_id"]?.stringValue
        row["image_link"] = Formatting.section(image.map { "/ui/images/\($0.lowercased())" })
        return row
    }

    /// The event's data as `key: value` pairs, nested objects flattened, secrets never present in the log.
    static func details(of data: JSONValue, prefix: String = "") -> String {
        guard case .object(let members) = data else { return data.stringValue ?? "" }
        return members.keys.sorted().compactMap { key -> String? in
            guard let value = members[key] else { return nil }
            switch value {
            case .object: return details(of: value, prefix: prefix + key + ".")
            case .array(let items): return "\(prefix)\(key): [\(items.compactMap(\.stringValue).joined(separator: ", "))]"
            case .null: return nil
            default: return "\(prefix)\(key): \(value.stringValue ?? "")"
            }
        }.joined(separator: " · ")
    }
}
