/// Bounds on what a completion event can carry, so that every event the interviews service can
/// write fits what the reports service accepts (issue: one event over the body limit used to
/// stop every report). The agent runtime's endpoints enforce the per-field limits; the event
/// limit is sized from them with each character at its worst JSON encoding (six bytes, a
/// control character's `\u00XX`), and a test builds that worst event and checks it fits.
public enum ReportEventLimits {
    /// Turns in one interview's transcript.
    public static let turnsPerInterview = 200
    /// Code points in one turn.
    public static let turnCharacters = 20_000
    /// Code points in one transcript, all turns together.
    public static let transcriptCharacters = 200_000
    /// The evaluation's fields, in code points: summary, recommendation, each strength and
    /// weakness (50 of each), each criterion's name and comment (50 criteria).
    public static let summaryCharacters = 20_000
    public static let recommendationCharacters = 200
    public static let listEntries = 50
    public static let listEntryCharacters = 1000
    public static let criteria = 50
    public static let criterionNameCharacters = 200
    public static let criterionCommentCharacters = 5000

    /// The largest event body the reports service reads at `/internal/events` (4 MiB); the
    /// worst event the limits above allow is about 3.5 MB.
    public static let maximumEncodedBytes = 4 << 20
}
