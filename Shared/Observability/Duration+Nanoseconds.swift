extension Duration {
    /// The duration in whole nanoseconds.
    public var nanosecondsCount: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
