#pragma once
/// Input and output files: the streaming CSV/TSV reader every command reads its tables with,
/// IDX arrays, and the atomic writer every command writes its files with.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlstrat::io {

/// A stream of bytes from a file, decompressed when the file is gzip'd.
class ByteSource {
 public:
    virtual ~ByteSource() = default;
    /// Reads up to n bytes into dst; returns 0 at the end. Throws Error(Io) naming the file when
    /// it cannot be read or its gzip data is corrupt or truncated.
    virtual std::size_t read(char* dst, std::size_t n) = 0;
};

/// Opens `path`, detecting gzip by its magic bytes; throws Error(Io) when it cannot be opened.
std::unique_ptr<ByteSource> open_bytes(const std::string& path);

/// How a table is read.
struct TableOptions {
    /// Field separator; 0 picks '\t' for .tsv/.tab files (gzip'd or not), else sniffs the header
    /// (tabs and no commas: '\t'), else ','.
    char delimiter = 0;
    /// Worker threads; 0 uses every core.
    unsigned threads = 0;
    /// Bytes read per block; a block is split into one part per thread.
    std::size_t block_bytes = std::size_t{512} << 10;
    /// A record longer than this is an error (usually an unterminated quote).
    std::size_t max_record_bytes = std::size_t{64} << 20;
    /// Read only shard `shard_index` of `shard_count`: the records that start in that share of
    /// the file's bytes (the header is still read from the start). The shards of a file hold
    /// every record exactly once. Line numbers stay the file's; RowBatch::row_index counts from
    /// the shard's first row. A gzip'd file has one shard only (its bytes cannot be cut).
    unsigned shard_index = 0;
    unsigned shard_count = 1;
};

/// The rows one worker parsed from one part of a block, restricted to the selected columns.
/// Views point into the reader's buffers and stay valid only during the callback.
class RowBatch {
 public:
    /// Number of rows.
    std::size_t size() const { return lines_.size(); }
    /// Cell `col` (an index into the selection passed to scan) of row `row`.
    std::string_view cell(std::size_t row, std::size_t col) const {
        return cells_[row * width_ + col];
    }
    /// The whole record as it stands in the file, without its line terminator.
    std::string_view raw(std::size_t row) const { return raw_[row]; }
    /// 1-based physical line of the file on which row `row` starts.
    std::uint64_t line(std::size_t row) const { return first_line_ + lines_[row]; }
    /// 0-based index of row `row` among all data rows of the file.
    std::uint64_t row_index(std::size_t row) const { return first_row_ + row; }
    /// The file's path as given.
    const std::string& path() const { return *path_; }

 protected:
    // Filled by the reader (src/io/table_reader.cpp), through a subclass that opens them to it.
    std::size_t width_ = 0;
    std::vector<std::string_view> cells_;
    std::vector<std::string_view> raw_;
    std::vector<std::uint32_t> lines_;  // line offsets from first_line_
    std::uint64_t first_line_ = 0;
    std::uint64_t first_row_ = 0;
    const std::string* path_ = nullptr;
};

/// Which order batches reach the callback in.
enum class ScanOrder {
    /// Concurrently from all workers; each worker's batches in file order.
    Parallel,
    /// One at a time, in file order (parsing is still parallel).
    File,
};

/// Streams a CSV/TSV file (optionally gzip'd) with a header row: RFC 4180 quoting, CRLF, a UTF-8
/// BOM, blank lines skipped. Memory is bounded by the block size, not by the number of rows.
///
///     TableReader table("pred.csv");
///     auto cols = {table.column("label"), table.column("pred")};
///     table.scan(cols, [&](unsigned worker, const RowBatch& b) { ... }, ScanOrder::Parallel);
class TableReader {
 public:
    /// Opens `path` and reads its header; throws Error when it is missing, empty or unreadable.
    explicit TableReader(std::string path, TableOptions options = {});
    ~TableReader();
    TableReader(const TableReader&) = delete;
    TableReader& operator=(const TableReader&) = delete;

    /// The header's column names.
    const std::vector<std::string>& header() const { return header_; }
    /// Index of column `name`; throws Error naming the file and the columns it has.
    std::size_t column(std::string_view name) const;
    /// Index of column `name`, if present.
    std::optional<std::size_t> find_column(std::string_view name) const;
    /// The delimiter in use.
    char delimiter() const { return delimiter_; }
    /// The number of workers `scan` uses.
    unsigned threads() const { return threads_; }
    /// The path as given.
    const std::string& path() const { return path_; }

    /// Reads every data row once, calling `consume(worker, batch)` with worker < threads().
    /// `keep_raw` also keeps each record's bytes. Rows with the wrong number of fields and
    /// malformed quoting throw Error with FILE:LINE; so does any Error `consume` throws for a
    /// row (the earliest in the file wins). Returns the number of data rows. Can be called once.
    std::uint64_t scan(const std::vector<std::size_t>& columns,
                       const std::function<void(unsigned, const RowBatch&)>& consume,
                       ScanOrder order = ScanOrder::Parallel, bool keep_raw = false);

 private:
    std::string path_;
    TableOptions options_;
    std::unique_ptr<ByteSource> source_;
    std::vector<std::string> header_;
    char delimiter_ = ',';
    unsigned threads_ = 1;
    std::string buffer_;           // bytes read but not yet parsed
    std::uint64_t next_line_ = 1;  // physical line of buffer_[0]
    bool scanned_ = false;
    bool eof_ = false;

    std::size_t fill(std::size_t want);
    void start_shard(std::uint64_t header_end);
};

/// Splits one CSV/TSV record (no line terminator) into fields, undoing RFC 4180 quoting.
/// Throws Error naming `where` when the quoting is malformed.
std::vector<std::string> split_record(std::string_view record, char delimiter,
                                      std::string_view where);

/// Quotes `field` for a CSV/TSV file when it holds the delimiter, a quote or a line break.
std::string quote_field(std::string_view field, char delimiter = ',');

/// Writes a file atomically: the bytes go to an anonymous temporary file in the target's
/// folder and appear under the final name only on commit(), so a failed or killed command
/// leaves no partial file. Destroying an uncommitted AtomicFile discards it.
class AtomicFile {
 public:
    /// Prepares to write `path`; throws Error(Io) when its folder is not writable.
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    /// Appends bytes (buffered).
    void write(std::string_view bytes);
    /// Flushes, syncs and renames the file into place.
    void commit();
    /// The final path.
    const std::string& path() const { return path_; }

 private:
    void flush();
    std::string path_;
    std::string temp_path_;  // empty when the file is anonymous (O_TMPFILE)
    int fd_ = -1;
    std::string pending_;
    std::uint64_t written_ = 0;  // bytes handed to the kernel so far
    bool committed_ = false;
};

/// Writes `contents` to `path` atomically.
void write_file_atomically(const std::string& path, std::string_view contents);

/// Reads a whole (possibly gzip'd) file into memory; throws Error(Io) naming the path.
std::string read_file(const std::string& path);

/// Compresses `bytes` into one gzip member (time stamp 0, so equal input gives equal output).
std::string gzip_bytes(std::string_view bytes, int level = 6);

/// An IDX array (the format of MNIST and Fashion-MNIST) with its values as floats.
struct IdxArray {
    std::vector<std::uint32_t> dims;
    /// The IDX type code: 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float, 0x0E double.
    std::uint8_t type = 0x08;
    std::vector<float> values;

    /// The first dimension: the number of examples.
    std::size_t items() const;
    /// The number of values in one example (the product of the other dimensions).
    std::size_t item_size() const;
};

/// Bytes per element of IDX type `type`; 0 for an unknown type code.
std::size_t idx_element_size(std::uint8_t type);

/// Reads an IDX file, gzip'd or not. Throws Error naming the file when the magic, the type, the
/// dimensions or the length are wrong (a truncated file, or bytes after the data).
IdxArray read_idx(const std::string& path);

/// The IDX encoding of `a`; integer types round each value to nearest and clamp to the range.
std::string idx_bytes(const IdxArray& a);

/// Writes `a` as IDX to `out`, gzip'd when its path ends in ".gz".
void write_idx(AtomicFile& out, const IdxArray& a);

}  // namespace mlstrat::io
