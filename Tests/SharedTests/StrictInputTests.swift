import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing

@Suite("Bodies are strict JSON declared as application/json")
struct StrictInputTests {
    @Test(arguments: [
        #"{"title":"x",}"#, #"{"title":"x","tags":["a",]}"#, #"{"title":"x" /* c */}"#, #"{"title":"x"} // c"#,
        #"{'title':'x'}"#, #"{title:"x"}"#, #"{"title":"x","title":"y"}"#, #"{"title":"x"} {}"#, #"{"count":01,"title":"x"}"#,
        #"{"count":1.,"title":"x"}"#, #"{"count":+1,"title":"x"}"#, #"{"title":"\x"}"#, "{\"title\":\"a\u{1}b\"}", #"{"title":"x",,"count":1}"#,
        #"{"count":NaN,"title":"x"}"#, #"{"title":"\u12"}"#, #"[1,]"#, "\u{FEFF}{\"title\":\"x\"}",
    ])
    func nonRFC8259BodiesAre400(body: String) async throws {
        try await HTTPConventionTests.makeApplication().test(.router) { client in
            let response = try await client.execute(
                uri: "/widgets", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(response.status == .badRequest, "accepted: \(body)")
            #expect(try HTTPConventionTests.error(response).code == "VALIDATION_ERROR")
        }
    }

    @Test(arguments: [
        #"{"title":"x"}"#, " \n{ \"title\" : \"x\" , \"count\" : -0 }\r\n", #"{"title":"\u00e9\n\"q\"\/","count":12}"#,
        #"{"title":"x","tags":[],"extra":{"a":[true,false,null,1e3,-2.5E-2,{}]}}"#,
    ])
    func rfc8259BodiesAreRead(body: String) async throws {
        try await HTTPConventionTests.makeApplication().test(.router) { client in
            let response = try await client.execute(
                uri: "/widgets", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(response.status == .ok, "refused: \(body)")
        }
    }

    @Test func nestingDeeperThanTheLimitIs400() throws {
        let deep = Array(
            (String(repeating: "[", count: StrictJSON.maximumDepth + 1) + String(repeating: "]", count: StrictJSON.maximumDepth + 1)).utf8)
        #expect(throws: StrictJSON.Violation.self) { try StrictJSON.validate(deep) }
        let limit = Array((String(repeating: "[", count: StrictJSON.maximumDepth) + String(repeating: "]", count: StrictJSON.maximumDepth)).utf8)
        #expect(throws: Never.self) { try StrictJSON.validate(limit) }
    }

    @Test(arguments: [
        nil, "text/plain", "application/x-www-form-urlencoded", "application/json-patch+json", "application/json; charset=iso-8859-1", "text/json",
    ])
    func aJSONBodyWithoutTheJSONContentTypeIs415(contentType: String?) async throws {
        try await HTTPConventionTests.makeApplication().test(.router) { client in
            var headers: HTTPFields = [:]
            if let contentType { headers[.contentType] = contentType }
            let response = try await client.execute(uri: "/widgets", method: .post, headers: headers, body: ByteBuffer(string: #"{"title":"x"}"#))
            #expect(response.status == .unsupportedMediaType)
            #expect(try HTTPConventionTests.error(response).code == "UNSUPPORTED_MEDIA_TYPE")
        }
    }

    @Test(arguments: ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", #"application/json; charset="utf-8""#])
    func theJSONContentTypeIsAcceptedWithAUTF8Charset(contentType: String) async throws {
        try await HTTPConventionTests.makeApplication().test(.router) { client in
            let response = try await client.execute(
                uri: "/widgets", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: #"{"title":"x"}"#))
            #expect(response.status == .ok)
        }
    }
}
