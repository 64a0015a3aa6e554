import Micro
@testable import MicroEtcd
import Testing

@Suite struct EtcdErrorTests {
    @Test(arguments: [
        (#"{"error":"etcdserver: authentication failed, invalid user ID or password","code":3,"message":"etcdserver: authentication failed, invalid user ID or password"}"#, 400, EtcdError.Code.unauthenticated),
        (#"{"error":"etcdserver: invalid auth token","code":3}"#, 400, .unauthenticated),
        (#"{"error":"etcdserver: user name is empty","code":3}"#, 400, .unauthenticated),
        (#"{"error":"etcdserver: permission denied","code":7}"#, 403, .permissionDenied),
        (#"{"error":"etcdserver: no leader","code":14}"#, 503, .unavailable),
        (#"{"error":"etcdserver: request timed out","code":4}"#, 504, .unavailable),
        (#"{"error":"mvcc: required revision has been compacted","code":11}"#, 400, .compacted),
        (#"{"error":"etcdserver: requested lease not found","code":5}"#, 404, .notFound),
        (#"{"error":"etcdserver: key is not provided","code":3}"#, 400, .invalidRequest),
        (#"{"error":"something odd","code":13}"#, 500, .serverError),
        (#"{"error":{"grpc_code":14,"http_code":503,"message":"transport is closing","http_status":"Service Unavailable"}}"#, nil, .unavailable),
        ("not json", 401, .unauthenticated),
    ] as [(String, Int?, EtcdError.Code)])
    func mapsGatewayErrors(_ body: String, _ status: Int?, _ code: EtcdError.Code) {
        let error = EtcdError(gatewayError: try? JSONValue(parsing: body), httpStatus: status, url: "http://127.0.0.1:2379")
        #expect(error.code == code)
        #expect(error.url == "http://127.0.0.1:2379")
        #expect(error.isRetryable == (code == .unavailable))
    }

    @Test func keepsTheGatewayMessageAndCode() {
        let error = EtcdError(gatewayError: try? JSONValue(parsing: #"{"error":"etcdserver: permission denied","code":7}"#),
                              httpStatus: 403, url: "http://h:2379")
        #expect(error.grpcCode == 7)
        #expect(error.httpStatus == 403)
        #expect(error.description.contains("permission denied") && error.description.contains("http://h:2379"))
    }

    @Test(arguments: [
        (EtcdError.Code.unavailable, RegistryError.Code.unavailable), (.invalidURL, .invalidURL),
        (.unauthenticated, .unauthenticated), (.permissionDenied, .permissionDenied), (.versionMismatch, .versionMismatch),
        (.protocolError, .serverError),
    ])
    func becomesARegistryError(_ code: EtcdError.Code, _ registryCode: RegistryError.Code) {
        let error = RegistryError.etcd(EtcdError(code, "boom", url: "http://h:2379"), service: "svc")
        #expect(error.code == registryCode)
        #expect(error.service == "svc")
        #expect(error.message.contains("http://h:2379"))
        #expect((error.underlying as? EtcdError)?.code == code)
    }

    @Test(arguments: [("3.4.23", true), ("3.5.0", true), ("4.0.0", true), ("3.3.27", false), ("2.3.8", false), ("", false), ("x.y", false)])
    func versionSupport(_ version: String, _ supported: Bool) {
        #expect(EtcdClient.isSupported(version) == supported)
    }
}
