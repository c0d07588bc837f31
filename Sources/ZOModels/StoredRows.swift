import ZOFormats
import ZOTensor

/// A frozen weight left as its file encodes it (`--base-precision stored`): rows decoded from the
/// mapped file's blocks when the forward multiplies them, so a quantized GGUF base takes about its
/// file's size. `rowOrder` maps a row as the model uses it to the file's row (llama.cpp's permuted
/// q/k rows); nil when they agree. A decoding step's few activation rows go through the row kernel
/// (`skinnyLinear`), which reads the blocks without widening a tile.
final class StoredRows: EncodedRows, @unchecked Sendable {
    let tensor: StoredTensor
    let rows: Int
    let columns: Int
    /// The vectorised decoder of the tensor's block type, where there is one (ZOFormats' otherwise).
    private let blocks: BlockDecoding?

    /// `tensor` seen as `[rows × columns]` output rows; nil when its rows do not decode alone or
    /// `rowOrder` maps a row outside the tensor.
    init?(_ tensor: StoredTensor, rows: Int, columns: Int, rowOrder: ((Int) -> Int)?) {
        guard rows * columns == tensor.elementCount, tensor.rowsDecodeAlone(columns: columns) else { return nil }
        (self.tensor, self.rows, self.columns) = (tensor, rows, columns)
        if case let .ggml(type) = tensor.encoding { blocks = BlockDecoding(ggmlName: type.name) } else { blocks = nil }
        fileRows = rowOrder.map { order in (0..<rows).map { Int64(order($0)) } }
        if let fileRows, !fileRows.allSatisfy({ $0 >= 0 && $0 < rows }) { return nil }
    }

    /// The file's row of each row as the model uses it (nil when they agree).
    private let fileRows: [Int64]?

    var hasSkinnyProduct: Bool { blocks != nil }

    func skinnyLinear(
        _ a: UnsafePointer<Float>, rows activationRows: Int, lda: Int, outputs: Range<Int>, into c: UnsafeMutablePointer<Float>,
        ldc: Int, beta: Float, row: UnsafeMutablePointer<Float>
    ) {
        guard let blocks, let base = tensor.bytes.baseAddress else { preconditionFailure("\(tensor.name) has no row kernel") }
        precondition(outputs.lowerBound >= 0 && outputs.upperBound <= rows, "rows \(outputs) outside \(tensor.name)'s \(rows)")
        let rowBytes = columns / blocks.block.elements * blocks.block.bytes
        let product = { (fileRows: UnsafePointer<Int64>?, weight: UnsafeRawPointer) in
            blocks.skinnyLinear(a, rows: activationRows, inner: self.columns, lda: lda, weight: weight, rowBytes: rowBytes,
                                fileRows: fileRows, columns: outputs.count, into: c, ldc: ldc, beta: beta, row: row)
        }
        guard let fileRows else { return product(nil, base + outputs.lowerBound * rowBytes) }
        fileRows.withUnsafeBufferPointer { product($0.baseAddress! + outputs.lowerBound, base) }
    }

    var byteCount: Int { tensor.bytes.count }

    func decode(rows range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside \(tensor.name)'s \(rows)")
        if let blocks {
            // Rows are whole blocks (checked at init), so row r starts at byte r · rowBytes.
            let blocksPerRow = columns / blocks.block.elements, rowBytes = blocksPerRow * blocks.block.bytes
            guard let base = tensor.bytes.baseAddress else { return }
            guard let fileRows else {
                return blocks.decode(base + range.lowerBound * rowBytes, blocks: range.count * blocksPerRow, into: destination)
            }
            for (position, row) in range.enumerated() {
                blocks.decode(base + Int(fileRows[row]) * rowBytes, blocks: blocksPerRow, into: destination + position * columns)
            }
            return
        }
        do {
            guard let fileRows else { return try tensor.decode(rows: range, columns: columns, into: destination) }
            for (position, row) in range.enumerated() {
                let fileRow = Int(fileRows[row])
                try tensor.decode(rows: fileRow..<(fileRow + 1), columns: columns, into: destination + position * columns)
            }
        } catch {
            // Sizes and types were checked, and every row decoded once, when the model loaded.
            preconditionFailure("stored rows of \(tensor.name) no longer decode: \(error)")
        }
    }

    /// Decodes every row once in tiles and scans them (loading refuses non-finite weights), then lets
    /// the file's pages go until the forward reads them.
    func firstNonFinite() -> (index: Int, value: Float)? {
        let tile = max(1, EncodedLinear.tileElements / columns)
        let scratch = FloatBuffer(count: tile * columns)
        defer { tensor.file.release(tensor.bytes) }
        var start = 0
        while start < rows {
            let count = min(tile, rows - start)
            decode(rows: start..<(start + count), into: scratch.pointer)
            if let index = NonFiniteScan.firstIndex(in: UnsafeBufferPointer(start: scratch.pointer, count: count * columns)) {
                return (start * columns + index, scratch.pointer[index])
            }
            start += count
        }
        return nil
    }
}
