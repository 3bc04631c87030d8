import Foundation

/// The bundle holding this service's resources (its OpenAPI document).
public let resourceBundle = Bundle.module
