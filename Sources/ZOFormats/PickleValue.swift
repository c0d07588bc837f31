/// What the restricted unpickler (`TorchUnpickler`) builds: plain Python data, the few torch
/// callables it recognises (recognised, never called) and the storages and tensors they describe.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// Containers are objects shared by reference, as in Python (the memo may hold a dict while it is
    /// filled), and are all owned by the unpickler, which empties them when done (see `TorchUnpickler`).
    case tuple(PickleSequence)
    case list(PickleSequence)
    case dict(PickleDictionary)
    case callable(TorchPickleGlobal)
    case storage(TorchStorageReference)
    case tensor(TorchTensorReference)

    /// For error messages ("entry x is a list, not a tensor").
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case let .callable(global): return global.qualifiedName
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

final class PickleSequence {
    var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// Insertion-ordered, like the OrderedDict of a state dict; keys are kept as written.
final class PickleDictionary {
    var items: [(key: PickleValue, value: PickleValue)] = []
}

/// The only Python globals a state dict names. Anything else is refused by name.
enum TorchPickleGlobal: Equatable {
    /// `collections.OrderedDict`: a state dict and a tensor's (empty) backward hooks.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    case rebuildTensor
    /// `torch._utils._rebuild_parameter(tensor, requires_grad, hooks[, state])`: an nn.Parameter.
    case rebuildParameter(name: String)
    /// `torch.FloatStorage` and friends: only named inside persistent ids, never built.
    case storageType(name: String)

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            self = .rebuildParameter(name: name)
        case ("torch", _) where name.hasSuffix("Storage") && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }):
            self = .storageType(name: name)
        default: return nil
        }
    }

    var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensor: return "torch._utils._rebuild_tensor_v2"
        case let .rebuildParameter(name): return "torch._utils.\(name)"
        case let .storageType(name): return "torch.\(name)"
        }
    }
}

/// A persistent id `('storage', torch.<Type>Storage, key, location, numel)`: the storage's bytes are
/// the archive entry `<archive>/data/<key>`.
struct TorchStorageReference {
    let typeName: String
    let key: String
    let elementCount: Int
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage, in elements.
struct TorchTensorReference {
    let storage: TorchStorageReference
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}
