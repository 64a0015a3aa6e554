import Micro

extension ServiceError.Code {
    /// The call was denied by an approval policy or by the person asked; it did not run.
    public static let denied = ServiceError.Code(rawValue: "denied")
}
