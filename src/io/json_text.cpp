// JSON files other commands read back: their text, or an error when a string is not UTF-8.

#include <nlohmann/json.hpp>

#include "mlstrat/error.hpp"
#include "mlstrat/json_text.hpp"

namespace mlstrat::io {

std::string json_text(const nlohmann::json& j, const std::string& source, int indent) {
    try {
        return j.dump(indent);
    } catch (const nlohmann::json::type_error&) {
        throw Error(source + ": holds text that is not UTF-8 (a label, a value or a "
                            "column name), which a JSON file cannot hold; "
                            "re-encode it as UTF-8");
    }
}

}  // namespace mlstrat::io
