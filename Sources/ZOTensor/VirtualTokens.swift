/// Rows a token embedding table reads past its end: the trainable virtual tokens of prompt tuning.
/// Token id `firstID + i` looks up row i of `rows` (in the adapter's own arena, `owner`), so a prompt
/// that starts with those ids sees the virtual tokens as ordinary embedded positions — attention,
/// positions and scoring need nothing else.
public struct VirtualTokens: @unchecked Sendable {
    public let owner: WeightArena
    public let rows: UnsafeMutablePointer<Float>
    /// The first virtual id: the table's row count.
    public let firstID: Int
    public let count: Int
    public let width: Int

    public init(owner: WeightArena, entry: ParameterEntry, firstID: Int) {
        precondition(entry.shape.count == 2, "virtual tokens are rows")
        self.owner = owner
        rows = owner.pointer(entry)
        self.firstID = firstID
        count = entry.shape[0]
        width = entry.shape[1]
    }

    /// The ids a prompt starts with to see every virtual token, in order.
    public var ids: [Int] { Array(firstID..<(firstID + count)) }

    /// The embedding row of virtual id `id`, or nil for an id of the table itself.
    public func row(_ id: Int) -> UnsafeMutablePointer<Float>? {
        (firstID..<(firstID + count)).contains(id) ? rows + (id - firstID) * width : nil
    }
}
