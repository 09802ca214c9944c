import CHDF5
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes whole HDF5 files as `HDF5Value` trees through the C
/// library. Debian's libhdf5 is built without thread safety, so every call
/// into it happens under one process-wide lock; its error stack printing is
/// turned off (failures become `SinabsError`s). Every id opened is closed on
/// every path (`IDs`).
enum HDF5File {
    private static let lock = Mutex(false)  // true once error printing is off

    /// Limits that keep a damaged or hostile file from exhausting memory or stack.
    static let maxDepth = 16, maxRank = 8, maxElements = 1 << 28, maxMembers = 1 << 16

    static func withLibrary<T>(_ body: () throws -> T) throws -> T {
        try lock.withLock { quiet in
            if !quiet {
                H5Eset_auto2(chdf5_error_default(), nil, nil)
                quiet = true
            }
            return try body()
        }
    }

    /// HDF5 files, groups, datasets, types and attributes open now (0 between calls: tests check no id leaks).
    static func openObjectCount() throws -> Int {
        try withLibrary { Int(H5Fget_obj_count(hid_t(chdf5_all_objects()), chdf5_all_objects())) }
    }

    // MARK: Reading

    /// The root group of the file at `path`.
    static func read(_ path: String) throws -> HDF5Value {
        try checkSignature(path)
        let bytes = try FileIO.read(path)
        return try withLibrary {
            let ids = IDs()
            defer { ids.closeAll() }
            let file = try ids.open(H5Fopen(path, chdf5_read_only(), chdf5_default()), H5Fclose,
                                    "'\(path)' is a damaged or truncated HDF5 file")
            let properties = try ids.open(H5Fget_create_plist(file), H5Pclose, "cannot read the properties of '\(path)'")
            var offsetSize = 0, lengthSize = 0
            guard H5Pget_sizes(properties, &offsetSize, &lengthSize) >= 0 else {
                throw SinabsError.invalid("cannot read the properties of '\(path)'")
            }
            let heap = try HDF5GlobalHeap(bytes: bytes, offsetSize: offsetSize, lengthSize: lengthSize)
            return try readGroup(file, path: "/", depth: 0, heap)
        }
    }

    /// NOT_FOUND for a missing file, INVALID_ARGUMENT for one that does not
    /// start with the HDF5 signature (HDF5's own open would say neither).
    static func checkSignature(_ path: String) throws {
        guard let file = fopen(path, "rb") else {
            throw SinabsError(.notFound, "cannot open '\(path)' for reading: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var head = [UInt8](repeating: 0, count: 8)
        let n = head.withUnsafeMutableBytes { fread($0.baseAddress, 1, 8, file) }
        guard n == 8, head == [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] else {
            throw SinabsError.invalid("'\(path)' is not an HDF5 file (a .nir file is HDF5)")
        }
    }

    private static func readGroup(_ group: hid_t, path: String, depth: Int, _ heap: HDF5GlobalHeap) throws -> HDF5Value {
        guard depth < maxDepth else { throw SinabsError.invalid("HDF5 groups nested deeper than \(maxDepth) at '\(path)'") }
        var info = H5G_info_t()
        guard H5Gget_info(group, &info) >= 0 else { throw SinabsError.invalid("cannot list the HDF5 group '\(path)'") }
        guard info.nlinks <= UInt64(maxMembers) else { throw SinabsError.invalid("HDF5 group '\(path)' has too many members") }
        var members: [(name: String, value: HDF5Value)] = []
        for index in 0..<info.nlinks {
            let name = try memberName(group, index, path: path)
            let ids = IDs()
            defer { ids.closeAll() }
            let object = try ids.open(H5Oopen(group, name, chdf5_default()), H5Oclose, "cannot open '\(path)\(name)'")
            switch H5Iget_type(object) {
            case H5I_GROUP: members.append((name, try readGroup(object, path: path + name + "/", depth: depth + 1, heap)))
            case H5I_DATASET: members.append((name, try readDataset(object, path: path + name, heap)))
            default: throw SinabsError.invalid("'\(path)\(name)' is neither an HDF5 group nor a dataset")
            }
        }
        return .group(members)
    }

    private static func memberName(_ group: hid_t, _ index: hsize_t, path: String) throws -> String {
        let length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_default())
        guard length >= 0, length < 1 << 16 else { throw SinabsError.invalid("cannot read a member name of '\(path)'") }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        guard H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, chdf5_default()) >= 0 else {
            throw SinabsError.invalid("cannot read a member name of '\(path)'")
        }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func readDataset(_ dataset: hid_t, path: String, _ heap: HDF5GlobalHeap) throws -> HDF5Value {
        let ids = IDs()
        defer { ids.closeAll() }
        let space = try ids.open(H5Dget_space(dataset), H5Sclose, "cannot read the shape of '\(path)'")
        let type = try ids.open(H5Dget_type(dataset), H5Tclose, "cannot read the type of '\(path)'")
        let shape = try datasetShape(space, path: path)
        let count = shape.reduce(1, *)
        switch H5Tget_class(type) {
        case H5T_INTEGER, H5T_FLOAT:
            // The numbers must be in the file: a damaged shape must not make us allocate gigabytes.
            let size = H5Tget_size(type)
            guard size > 0, size <= 16, count <= heap.bytes.count / size, H5Dget_storage_size(dataset) >= UInt64(count * size) else {
                throw SinabsError.invalid("'\(path)' claims more numbers than the file holds (damaged file?)")
            }
            var values = [Double](repeating: 0, count: count)
            if count > 0 {
                guard H5Dread(dataset, chdf5_native_double(), chdf5_all(), chdf5_all(), chdf5_default(), &values) >= 0 else {
                    throw SinabsError.invalid("cannot read the numbers of '\(path)' (damaged file?)")
                }
            }
            return .numbers(shape: shape, values: values, integer: H5Tget_class(type) == H5T_INTEGER)
        case H5T_STRING:
            return .strings(shape: shape, values: try readStrings(dataset, type: type, count: count, path: path, heap))
        default:
            throw SinabsError.invalid("'\(path)' holds neither numbers nor strings")
        }
    }

    private static func datasetShape(_ space: hid_t, path: String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0, rank <= maxRank else { throw SinabsError.invalid("'\(path)' has an unsupported rank \(rank)") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard H5Sget_simple_extent_dims(space, &dims, nil) == rank else {
            throw SinabsError.invalid("cannot read the shape of '\(path)'")
        }
        var count = 1
        for d in dims {
            guard d <= UInt64(maxElements) else { throw SinabsError.invalid("'\(path)' is too large") }
            count *= Int(d)
            guard count <= maxElements else { throw SinabsError.invalid("'\(path)' is too large") }
        }
        return dims.map { Int($0) }
    }

    private static func readStrings(_ dataset: hid_t, type: hid_t, count: Int, path: String,
                                    _ heap: HDF5GlobalHeap) throws -> [String] {
        guard count > 0 else { return [] }
        if H5Tis_variable_str(type) > 0 {
            // Resolved from the file's bytes, not by libhdf5 (see HDF5GlobalHeap).
            let offset = H5Dget_offset(dataset), stored = H5Dget_storage_size(dataset)
            guard offset < 1 << 48, stored >= UInt64(count * heap.elementSize) else {
                throw SinabsError.invalid("'\(path)': variable-length strings are only read from contiguous storage")
            }
            return try heap.strings(at: Int(offset), count: count, path: path)
        }
        let ids = IDs()
        defer { ids.closeAll() }
        let memory = try ids.open(H5Tcopy(chdf5_c_s1()), H5Tclose, "cannot make a string type")
        // HDF5 converts no strings between character sets: read in the file's.
        guard H5Tset_cset(memory, H5Tget_cset(type)) >= 0 else { throw SinabsError.invalid("'\(path)' has an unknown character set") }
        func text(_ bytes: UnsafeBufferPointer<CChar>) -> String {
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let size = H5Tget_size(type)
        guard size > 0, size <= 1 << 16, count <= maxElements / size else {
            throw SinabsError.invalid("'\(path)' has an unsupported string size \(size)")
        }
        guard H5Tset_size(memory, size) >= 0 else { throw SinabsError.invalid("cannot make a string type") }
        var bytes = [CChar](repeating: 0, count: count * size)
        guard H5Dread(dataset, memory, chdf5_all(), chdf5_all(), chdf5_default(), &bytes) >= 0 else {
            throw SinabsError.invalid("cannot read the strings of '\(path)' (damaged file?)")
        }
        return bytes.withUnsafeBufferPointer { all in
            (0..<count).map { text(UnsafeBufferPointer(rebasing: all[$0 * size..<($0 + 1) * size])) }
        }
    }

    // MARK: Writing

    /// Writes `root`'s members as the file's root group, as h5py would:
    /// numbers as float32 or int64, strings as variable-length UTF-8. The file
    /// is written to "<path>.tmp" and renamed over `path`.
    static func write(_ root: [(name: String, value: HDF5Value)], to path: String) throws {
        let temporary = path + ".tmp"
        do {
            try withLibrary {
                let ids = IDs()
                defer { ids.closeAll() }
                _ = try ids.open(H5Fcreate(temporary, chdf5_truncate(), chdf5_default(), chdf5_default()), H5Fclose,
                                 "cannot create '\(temporary)'")
                try writeMembers(root, into: ids.last, path: "/")
                // Closing the file flushes it: a failure here is a failed write.
                guard ids.closeAll() else { throw SinabsError.invalid("cannot write '\(temporary)' (disk full?)") }
            }
        } catch {
            remove(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            remove(temporary)
            throw SinabsError.invalid("cannot rename '\(temporary)' to '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    private static func writeMembers(_ members: [(name: String, value: HDF5Value)], into group: hid_t, path: String) throws {
        for (name, value) in members {
            let ids = IDs()
            defer { ids.closeAll() }
            switch value {
            case .group(let children):
                let child = try ids.open(H5Gcreate2(group, name, chdf5_default(), chdf5_default(), chdf5_default()),
                                         H5Gclose, "cannot create the group '\(path)\(name)'")
                try writeMembers(children, into: child, path: path + name + "/")
            case .numbers(let shape, let values, let integer):
                let space = try ids.open(makeSpace(shape), H5Sclose, "cannot make the shape of '\(path)\(name)'")
                let fileType = integer ? chdf5_std_i64le() : chdf5_ieee_f32le()
                let dataset = try ids.open(H5Dcreate2(group, name, fileType, space, chdf5_default(), chdf5_default(), chdf5_default()),
                                           H5Dclose, "cannot create '\(path)\(name)'")
                let status: herr_t
                if integer {
                    let ints = values.map { Int64($0) }
                    status = H5Dwrite(dataset, chdf5_native_int64(), chdf5_all(), chdf5_all(), chdf5_default(), ints)
                } else {
                    let floats = values.map { Float($0) }
                    status = H5Dwrite(dataset, chdf5_native_float(), chdf5_all(), chdf5_all(), chdf5_default(), floats)
                }
                guard status >= 0 else { throw SinabsError.invalid("cannot write '\(path)\(name)' (disk full?)") }
            case .strings(let shape, let values):
                let space = try ids.open(makeSpace(shape), H5Sclose, "cannot make the shape of '\(path)\(name)'")
                let type = try ids.open(H5Tcopy(chdf5_c_s1()), H5Tclose, "cannot make a string type")
                guard H5Tset_size(type, chdf5_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
                    throw SinabsError.invalid("cannot make a string type")
                }
                let dataset = try ids.open(H5Dcreate2(group, name, type, space, chdf5_default(), chdf5_default(), chdf5_default()),
                                           H5Dclose, "cannot create '\(path)\(name)'")
                let copies = values.map { strdup($0) }
                defer { copies.forEach { free($0) } }
                let pointers = copies.map { UnsafePointer($0) }
                guard H5Dwrite(dataset, type, chdf5_all(), chdf5_all(), chdf5_default(), pointers) >= 0 else {
                    throw SinabsError.invalid("cannot write '\(path)\(name)' (disk full?)")
                }
            }
        }
    }

    private static func makeSpace(_ shape: [Int]) -> hid_t {
        if shape.isEmpty { return H5Screate(H5S_SCALAR) }
        let dims = shape.map { hsize_t($0) }
        return H5Screate_simple(Int32(dims.count), dims, nil)
    }
}

/// The HDF5 ids one scope opened, closed in reverse order when it ends.
private final class IDs {
    private var open: [(id: hid_t, close: (hid_t) -> herr_t)] = []

    /// `id` if valid (it will be closed), else throws `message`.
    func open(_ id: hid_t, _ close: @escaping (hid_t) -> herr_t, _ message: @autoclosure () -> String) throws -> hid_t {
        guard id >= 0 else { throw SinabsError.invalid(message()) }
        open.append((id, close))
        return id
    }

    /// The id opened last.
    var last: hid_t { open.last?.id ?? -1 }

    /// Closes every id; false if any close failed.
    @discardableResult
    func closeAll() -> Bool {
        var ok = true
        while let last = open.popLast() { ok = last.close(last.id) >= 0 && ok }
        return ok
    }
}
