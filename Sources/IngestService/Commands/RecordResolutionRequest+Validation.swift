import RegistryAPI
import RegistryDomain
import RegistryHTTP

extension RecordResolutionRequest {
    /// Longest build id accepted.
    static let maximumBuildIDLength = 128

    /// The resolution to perform; 400 naming the broken rule.
    func validated() throws(APIError) -> (buildID: String, request: ResolutionRequest, plan: ResolutionPlan) {
        try RegistryHTTP.validated { () throws(NameError) in
            guard !buildID.isEmpty, buildID.utf8.count <= Self.maximumBuildIDLength,
                !buildID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw NameError(field: "build_id", message: "must be 1 to \(Self.maximumBuildIDLength) printable characters")
            }
            let user = try Username(user)
            let request = ResolutionRequest(
                user: user,
                namespace: try namespace.map { text throws(NameError) in
                    try NamespaceReference(parsing: text, defaultOwner: user)
                },
                image: image,
                driver: try Driver(parsing: driver))
            return (buildID, request, try ResolutionPlan(for: request))
        }
    }
}
