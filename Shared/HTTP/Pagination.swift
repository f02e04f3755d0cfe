import Hummingbird

/// `?page=&pageSize=` of a list request (docs/api-guide.md, "Conventions").
public struct PageRequest: Sendable, Equatable {
    public static let maxPageSize = 100
    /// Bounds the offset a client can ask the database to skip.
    public static let maxPage = 100_000

    public let page: Int
    public let pageSize: Int
    public var offset: Int { (page - 1) * pageSize }

    public init(page: Int = 1, pageSize: Int = 20) {
        self.page = page
        self.pageSize = pageSize
    }

    /// Reads and checks `page` (1 or more) and `pageSize` (1 to 100) from the query string.
    public init(from request: Request) throws {
        let query = request.uri.queryParameters
        var details: [APIError.Detail] = []
        func read(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let raw = query[name[...]] else { return value }
            guard let parsed = Int(raw), range.contains(parsed) else {
                details.append(.init(field: name, message: "must be an integer from \(range.lowerBound) to \(range.upperBound)"))
                return value
            }
            return parsed
        }
        let page = read("page", default: 1, range: 1...Self.maxPage)
        let pageSize = read("pageSize", default: 20, range: 1...Self.maxPageSize)
        if !details.isEmpty {
            throw APIError.validation("Invalid pagination parameters", details: details)
        }
        self.init(page: page, pageSize: pageSize)
    }
}

/// A page of a list: `{"data": [...], "pagination": {...}}`.
public struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    public struct Info: Codable, Sendable, Equatable {
        public let page: Int
        public let pageSize: Int
        public let total: Int
        public let totalPages: Int

        public init(page: Int, pageSize: Int, total: Int, totalPages: Int) {
            self.page = page
            self.pageSize = pageSize
            self.total = total
            self.totalPages = totalPages
        }
    }

    public let data: [Item]
    public let pagination: Info

    public init(data: [Item], request: PageRequest, total: Int) {
        self.data = data
        self.pagination = Info(
            page: request.page,
            pageSize: request.pageSize,
            total: total,
            totalPages: total == 0 ? 0 : (total + request.pageSize - 1) / request.pageSize
        )
    }
}

extension Page: Decodable where Item: Decodable {}
