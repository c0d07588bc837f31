import Foundation

/// A restricted unpickler for the `data.pkl` of a PyTorch zip checkpoint. A pickle is a program
/// that may import and call anything, so loading one with Python's pickle runs whatever the file
/// says. This interpreter runs nothing: it knows only the opcodes torch.save writes for a state dict
/// (protocol 2, plus protocol 4's framing and memo opcodes) and only the globals in
/// `TorchPickleGlobal`; "calling" one of those builds a plain value here. Any other global is refused
/// by name the moment it is read, any other opcode is an error.
struct TorchUnpickler {
    private let path: String
    private var reader: ByteReader
    private var stack: [PickleValue] = []
    /// Stack heights at each MARK.
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Every container built, emptied at the end: releasing a deeply nested structure (a crafted
    /// pickle can nest a million tuples in a megabyte) would otherwise recurse until the stack overflows.
    private var sequences: [PickleSequence] = []
    private var dictionaries: [PickleDictionary] = []

    /// The tensors of a pickled state dict (a dict of name → tensor), in dictionary order.
    static func stateDict(_ bytes: UnsafeRawBufferPointer, path: String) throws -> [(name: String, tensor: TorchTensorReference)] {
        var unpickler = TorchUnpickler(path: path, reader: ByteReader(path: path, bytes: bytes))
        defer { unpickler.dismantle() }
        let root = try unpickler.run()
        guard case let .dict(dictionary) = root else {
            throw unpickler.fail("it holds a \(root.kind), not a dictionary of tensors")
        }
        return try dictionary.items.map { key, value in
            guard case let .string(name) = key else {
                throw unpickler.fail("its dictionary has a \(key.kind) key, not a tensor name")
            }
            guard case let .tensor(tensor) = value else { throw unpickler.fail("entry \(name) is a \(value.kind), not a tensor") }
            return (name, tensor)
        }
    }

    private init(path: String, reader: ByteReader) {
        self.path = path
        self.reader = reader
    }

    private func fail(_ reason: String) -> FormatError { FormatError.invalidPickle(path: path, reason: reason) }

    private mutating func dismantle() {
        for sequence in sequences { sequence.items = [] }
        for dictionary in dictionaries { dictionary.items = [] }
        stack = []
        memo = [:]
    }

    private mutating func tuple(_ items: [PickleValue]) -> PickleValue {
        let sequence = PickleSequence(items)
        sequences.append(sequence)
        return .tuple(sequence)
    }

    private mutating func list(_ items: [PickleValue]) -> PickleValue {
        let sequence = PickleSequence(items)
        sequences.append(sequence)
        return .list(sequence)
    }

    private mutating func dictionary(_ items: [(key: PickleValue, value: PickleValue)]) -> PickleValue {
        let dictionary = PickleDictionary()
        dictionary.items = items
        dictionaries.append(dictionary)
        return .dict(dictionary)
    }

    private mutating func run() throws -> PickleValue {
        while true {
            let offset = reader.position
            let opcode = try reader.read(UInt8.self, "the pickle opcode at byte \(offset)")
            switch opcode {
            case 0x80:  // PROTO
                let version = try reader.read(UInt8.self, "the pickle protocol")
                guard version <= 5 else { throw fail("pickle protocol \(version) is unknown") }
            case 0x95:  // FRAME: a length prefix only
                _ = try reader.read(UInt64.self, "a pickle frame length")
            case 0x2E:  // STOP
                return try pop()
            case 0x28:  // MARK
                marks.append(stack.count)
            case 0x7D: stack.append(dictionary([]))  // EMPTY_DICT
            case 0x5D: stack.append(list([]))  // EMPTY_LIST
            case 0x29: stack.append(tuple([]))  // EMPTY_TUPLE
            case 0x74: stack.append(tuple(try popToMark()))  // TUPLE
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                let count = Int(opcode - 0x84)
                guard stack.count - (marks.last ?? 0) >= count else { throw fail("TUPLE\(count) at byte \(offset) lacks items") }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                stack.append(tuple(items))
            case 0x64:  // DICT
                stack.append(dictionary(try pairs(try popToMark(), at: offset)))
            case 0x6C:  // LIST
                stack.append(list(try popToMark()))
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                try dictionaryOnTop(at: offset).items.append((key, value))
            case 0x75:  // SETITEMS
                let items = try pairs(try popToMark(), at: offset)
                try dictionaryOnTop(at: offset).items.append(contentsOf: items)
            case 0x61:  // APPEND
                let value = try pop()
                try listOnTop(at: offset).items.append(value)
            case 0x65:  // APPENDS
                let values = try popToMark()
                try listOnTop(at: offset).items.append(contentsOf: values)
            case 0x4A: stack.append(.int(Int(try reader.read(Int32.self, "a BININT"))))
            case 0x4B: stack.append(.int(Int(try reader.read(UInt8.self, "a BININT1"))))
            case 0x4D: stack.append(.int(Int(try reader.read(UInt16.self, "a BININT2"))))
            case 0x8A:  // LONG1
                let count = Int(try reader.read(UInt8.self, "a LONG1 length"))
                stack.append(.int(try littleEndianInteger(count, at: offset)))
            case 0x8B:  // LONG4
                let count = Int(try reader.read(Int32.self, "a LONG4 length"))
                stack.append(.int(try littleEndianInteger(count, at: offset)))
            case 0x47:  // BINFLOAT: big-endian
                stack.append(.float(Double(bitPattern: try reader.read(UInt64.self, "a BINFLOAT").byteSwapped)))
            case 0x4E: stack.append(.none)  // NONE
            case 0x88: stack.append(.bool(true))  // NEWTRUE
            case 0x89: stack.append(.bool(false))  // NEWFALSE
            case 0x58:  // BINUNICODE
                stack.append(.string(try string(length: Int(try reader.read(UInt32.self, "a BINUNICODE length")))))
            case 0x8C:  // SHORT_BINUNICODE
                stack.append(.string(try string(length: Int(try reader.read(UInt8.self, "a SHORT_BINUNICODE length")))))
            case 0x8D:  // BINUNICODE8
                let length = try reader.read(UInt64.self, "a BINUNICODE8 length")
                stack.append(.string(try string(length: Int(clamping: length))))
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try line(), name = try line()
                stack.append(.callable(try global(module: module, name: name)))
            case 0x93:  // STACK_GLOBAL
                guard case let .string(name) = try pop(), case let .string(module) = try pop() else {
                    throw fail("STACK_GLOBAL at byte \(offset) needs two strings")
                }
                stack.append(.callable(try global(module: module, name: name)))
            case 0x52:  // REDUCE
                let arguments = try pop(), callable = try pop()
                stack.append(try call(callable, arguments, at: offset))
            case 0x62:  // BUILD: sets attributes (a state dict's `_metadata`), which carry no weights
                let state = try pop()
                guard case .dict = try top() else {
                    throw fail("BUILD at byte \(offset) sets the \(state.kind) state of a \(try top().kind)")
                }
            case 0x51:  // BINPERSID
                stack.append(.storage(try storage(try pop(), at: offset)))
            case 0x71: memo[Int(try reader.read(UInt8.self, "a BINPUT index"))] = try top()
            case 0x72: memo[Int(try reader.read(UInt32.self, "a LONG_BINPUT index"))] = try top()
            case 0x94: memo[memo.count] = try top()  // MEMOIZE
            case 0x68: stack.append(try memoized(Int(try reader.read(UInt8.self, "a BINGET index")), at: offset))
            case 0x6A: stack.append(try memoized(Int(try reader.read(UInt32.self, "a LONG_BINGET index")), at: offset))
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popToMark()  // POP_MARK
            case 0x32: stack.append(try top())  // DUP
            default:
                throw fail(String(format: "opcode 0x%02X at byte %d is not one torch.save writes for tensors", opcode, offset))
            }
        }
    }

    // MARK: - Stack

    private mutating func pop() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw fail("the stack underflows at byte \(reader.position)") }
        return stack.removeLast()
    }

    private func top() throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else {
            throw fail("the stack underflows at byte \(reader.position)")
        }
        return value
    }

    private mutating func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no MARK before byte \(reader.position)") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private func pairs(_ items: [PickleValue], at offset: Int) throws -> [(key: PickleValue, value: PickleValue)] {
        guard items.count % 2 == 0 else { throw fail("an odd number of dict items at byte \(offset)") }
        return stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
    }

    private func dictionaryOnTop(at offset: Int) throws -> PickleDictionary {
        guard case let .dict(dictionary) = try top() else { throw fail("SETITEM(S) at byte \(offset) needs a dict") }
        return dictionary
    }

    private func listOnTop(at offset: Int) throws -> PickleSequence {
        guard case let .list(list) = try top() else { throw fail("APPEND(S) at byte \(offset) needs a list") }
        return list
    }

    private func memoized(_ index: Int, at offset: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw fail("memo entry \(index) read at byte \(offset) was never stored") }
        return value
    }

    // MARK: - Operands

    private mutating func string(length: Int) throws -> String {
        let bytes = try reader.readBytes(length, "a pickled string")
        guard let string = String(bytes: bytes, encoding: .utf8) else { throw fail("a string is not UTF-8") }
        return string
    }

    /// A GLOBAL operand: text up to a newline.
    private mutating func line() throws -> String {
        var bytes: [UInt8] = []
        while true {
            let byte = try reader.read(UInt8.self, "a GLOBAL name")
            if byte == 0x0A { break }
            guard bytes.count < 256 else { throw fail("a GLOBAL name is longer than 256 bytes") }
            bytes.append(byte)
        }
        guard let line = String(bytes: bytes, encoding: .utf8) else { throw fail("a GLOBAL name is not UTF-8") }
        return line
    }

    /// Two's-complement little-endian integer of `count` bytes (LONG1/LONG4), up to 64 bits.
    private mutating func littleEndianInteger(_ count: Int, at offset: Int) throws -> Int {
        guard (0...8).contains(count) else { throw fail("the integer at byte \(offset) has \(count) bytes (at most 8 are read)") }
        let bytes = try reader.readBytes(count, "a long integer")
        guard count > 0 else { return 0 }
        var value: UInt64 = 0
        for (i, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        if count < 8, bytes[count - 1] & 0x80 != 0 { value |= ~0 << (8 * UInt64(count)) }  // sign-extend
        return Int(Int64(bitPattern: value))
    }

    private func global(module: String, name: String) throws -> TorchPickleGlobal {
        guard let global = TorchPickleGlobal(module: module, name: name) else {
            throw FormatError.forbiddenPickleGlobal(path: path, name: "\(module).\(name)")
        }
        return global
    }

    // MARK: - Torch objects

    /// REDUCE on a recognised global: builds the value it describes, without calling anything.
    private mutating func call(_ callable: PickleValue, _ arguments: PickleValue, at offset: Int) throws -> PickleValue {
        guard case let .callable(global) = callable, case let .tuple(argumentTuple) = arguments else {
            throw fail("REDUCE at byte \(offset) applies a \(callable.kind) to a \(arguments.kind)")
        }
        let arguments = argumentTuple.items
        switch global {
        case .orderedDict:
            guard arguments.isEmpty else { throw fail("OrderedDict at byte \(offset) is built with arguments") }
            return dictionary([])
        case .rebuildTensor:
            guard arguments.count >= 4, case let .storage(storage) = arguments[0], case let .int(tensorOffset) = arguments[1],
                  let shape = integers(arguments[2]), let strides = integers(arguments[3])
            else { throw fail("_rebuild_tensor_v2 at byte \(offset) does not get (storage, offset, size, stride, …)") }
            return .tensor(TorchTensorReference(storage: storage, offset: tensorOffset, shape: shape, strides: strides))
        case .rebuildParameter:
            guard let first = arguments.first, case .tensor = first else {
                throw fail("\(global.qualifiedName) at byte \(offset) does not get a tensor")
            }
            return first
        case .storageType:
            throw fail("\(global.qualifiedName) is called at byte \(offset); torch.save only names storage classes")
        }
    }

    private func integers(_ value: PickleValue) -> [Int]? {
        guard case let .tuple(tuple) = value else { return nil }
        var result: [Int] = []
        for item in tuple.items {
            guard case let .int(n) = item else { return nil }
            result.append(n)
        }
        return result
    }

    /// BINPERSID's id `('storage', torch.<Type>Storage, key, location, numel)`.
    private func storage(_ id: PickleValue, at offset: Int) throws -> TorchStorageReference {
        guard case let .tuple(tuple) = id, case let parts = tuple.items, parts.count == 5, case .string("storage") = parts[0],
              case let .callable(.storageType(typeName)) = parts[1], case let .string(key) = parts[2],
              case let .int(elementCount) = parts[4], elementCount >= 0
        else { throw fail("the persistent id at byte \(offset) is not ('storage', type, key, location, numel)") }
        return TorchStorageReference(typeName: typeName, key: key, elementCount: elementCount)
    }
}
