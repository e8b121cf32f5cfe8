/// A dense row-major matrix of float32 values: the currency between encoders and analyzers.
///
/// An embedding batch is a `Matrix` with one row per item (`rows × dimension`); a similarity
/// matrix has one row and one column per item.
public struct Matrix: Sendable, Equatable {
    /// Number of rows (≥ 0).
    public let rows: Int
    /// Number of columns (≥ 0).
    public let columns: Int
    /// `rows × columns` values, row after row.
    public var values: [Float]

    /// Creates a matrix from row-major `values`; `values.count` must be `rows × columns`.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "Matrix: \(values.count) values do not fit \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix of `rows × columns` copies of `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: value, count: rows * columns))
    }

    /// Stacks equally long rows; an empty list gives a 0 × `columns` matrix.
    public init(stacking rowList: [[Float]], columns: Int? = nil) {
        let width = rowList.first?.count ?? columns ?? 0
        precondition(rowList.allSatisfy { $0.count == width }, "Matrix: rows of different lengths")
        self.init(rows: rowList.count, columns: width, values: rowList.flatMap { $0 })
    }

    /// The value at `row`, `column`.
    @inlinable public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// A copy of row `index`.
    public func row(_ index: Int) -> [Float] {
        Array(values[(index * columns)..<((index + 1) * columns)])
    }
}
