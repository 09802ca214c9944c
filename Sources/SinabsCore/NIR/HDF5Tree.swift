/// An HDF5 file as a tree of values: what a `.nir` file holds, independent of
/// the HDF5 library. Groups hold named members (in name order, as HDF5 lists
/// them); datasets are numbers or strings with a shape ([] for a scalar).
enum HDF5Value {
    case group([(name: String, value: HDF5Value)])
    /// Numbers read as Double (exact for float32 and for integers below
    /// 2^53); `integer` records whether the file stored integers.
    case numbers(shape: [Int], values: [Double], integer: Bool)
    case strings(shape: [Int], values: [String])

    /// A member of a group, or nil.
    subscript(name: String) -> HDF5Value? {
        guard case .group(let members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }

    /// A float32 dataset.
    static func floats(_ shape: [Int], _ values: [Float]) -> HDF5Value {
        .numbers(shape: shape, values: values.map(Double.init), integer: false)
    }

    /// An int64 dataset of rank 1 (or a scalar with `scalar`).
    static func ints(_ values: [Int], scalar: Bool = false) -> HDF5Value {
        .numbers(shape: scalar ? [] : [values.count], values: values.map(Double.init), integer: true)
    }

    /// A scalar string dataset.
    static func string(_ text: String) -> HDF5Value { .strings(shape: [], values: [text]) }
}
