import Hummingbird
import RegistryAPI

// The API's resources are answers a handler returns as they are; the
// request context's encoder (``RegistryRequestContext/responseEncoder``)
// writes them in the registry's JSON.
extension ImageResource: ResponseEncodable {}
extension NamespaceResource: ResponseEncodable {}
extension InviteResource: ResponseEncodable {}
extension WebhookResource: ResponseEncodable {}
extension ImportResource: ResponseEncodable {}
extension UploadSessionResource: ResponseEncodable {}
extension WebhookDeliveryResource: ResponseEncodable {}
extension ResolutionResource: ResponseEncodable {}
extension AuditEntryResource: ResponseEncodable {}
extension DeadLetterResource: ResponseEncodable {}
extension ImageBatchResult: ResponseEncodable {}
extension AcceptedResource: ResponseEncodable {}
extension ErrorResource: ResponseEncodable {}
extension Page: ResponseEncodable {}
extension RetentionResource: ResponseEncodable {}
extension QuotaResource: ResponseEncodable {}
