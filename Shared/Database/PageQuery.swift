import PostgresNIO

/// Reading list queries that carry their total as `count(*) OVER () AS total`.
public enum PageQuery {
    /// One page of items and the total of the whole list. `fetch(limit, offset)` runs the list
    /// query; a page past the end has no row to carry the total, so it is asked again for one row.
    public static func run<Item>(
        _ page: PageRequest,
        fetch: (_ limit: Int, _ offset: Int) async throws -> PostgresRowSequence,
        item: (PostgresRow) throws -> Item
    ) async throws -> ([Item], Int) {
        var items: [Item] = []
        var total = 0
        for try await row in try await fetch(page.pageSize, page.offset) {
            items.append(try item(row))
            total = try row.makeRandomAccess()["total"].decode(Int.self)
        }
        if items.isEmpty, page.offset > 0 {
            for try await row in try await fetch(1, 0) {
                total = try row.makeRandomAccess()["total"].decode(Int.self)
            }
        }
        return (items, total)
    }
}
