/// Which release of the registry this is.
public enum RegistryBuild {
    /// The release, as the OpenAPI documents' `info.version` gives it.
    public static let version = "1.0.0"
}
