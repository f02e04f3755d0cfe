import Shared
import Testing

@Suite("What makes two requests with one Idempotency-Key the same request")
struct IdempotencyFingerprintTests {
    static func print(_ body: String, method: String = "POST", uri: String = "/api/v1/jobs") -> [UInt8] {
        IdempotencyStore.fingerprint(method: method, uri: uri, body: Array(body.utf8))
    }

    @Test func theSameJSONInAnotherKeyOrderOrSpacingIsTheSameRequest() {
        #expect(Self.print(#"{"title":"A","salaryMin":5}"#) == Self.print(#"{ "salaryMin": 5, "title": "A" }"#))
    }

    @Test func anotherValueMethodOrPathIsAnotherRequest() {
        let base = Self.print(#"{"title":"A"}"#)
        #expect(base != Self.print(#"{"title":"B"}"#))
        #expect(base != Self.print(#"{"title":"A"}"#, method: "PATCH"))
        #expect(base != Self.print(#"{"title":"A"}"#, uri: "/api/v1/candidates"))
        #expect(Self.print("not json") != Self.print("not json "))
    }
}
