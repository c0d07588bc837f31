/// A 64-byte-aligned, fixed-size buffer of numbers, owned by a class so it can be shared by reference
/// without copying (weights, activations). Contents start zeroed.
public final class AlignedBuffer<Element: Numeric>: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Element>

    public init(count: Int) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Element>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        // Zeroed as bytes (a memset): element by element, this generic initialiser ran through value
        // witnesses, seconds for a large model's arena. Zero is all-zero bits for the integer and
        // floating-point types the package stores.
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        pointer = raw.bindMemory(to: Element.self, capacity: max(count, 1))
    }

    deinit { pointer.deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Element> { .init(start: pointer, count: count) }

    public subscript(index: Int) -> Element {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }
}

/// fp32 values: weights, activations, scratch.
public typealias FloatBuffer = AlignedBuffer<Float>

/// bfloat16 values (as `UInt16`): a frozen base held narrow in a `WeightArena`.
public typealias BFloat16Buffer = AlignedBuffer<UInt16>
