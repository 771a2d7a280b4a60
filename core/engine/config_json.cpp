#include "engine/config_json.h"

#include "engine/error.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace kinora::engine {

ConfigReader ConfigReader::fromFile(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
        // "missing" only when it is: a folder without read/search permission gives EACCES.
        const int e = errno;
        throw EngineError(path + (e == ENOENT ? ": missing (" : ": cannot be read (") + std::strerror(e) + ")");
    }
    if (S_ISDIR(st.st_mode)) throw EngineError(path + ": is a folder, not a JSON file");
    // A FIFO or device would block or never end; only regular files are configs.
    if (!S_ISREG(st.st_mode)) throw EngineError(path + ": is not a regular file");
    if (st.st_size > (16 << 20)) throw EngineError(path + ": over 16 MiB, not a config file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw EngineError(path + ": cannot be read (" + std::strerror(errno) + ")");
    std::stringstream buf;
    buf << in.rdbuf();
    if (in.bad()) throw EngineError(path + ": cannot be read (" + std::strerror(errno) + ")");
    return fromText(path, buf.str());
}

ConfigReader ConfigReader::fromText(const std::string& where, const std::string& text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw EngineError(where + ": not valid JSON (NaN and Infinity are not allowed either)");
    if (!j.is_object()) throw EngineError(where + ": not a JSON object");
    return ConfigReader(where, std::move(j));
}

ConfigReader::ConfigReader(std::string where, nlohmann::json j) : where_(std::move(where)), json_(std::move(j)) {}

bool ConfigReader::has(const std::string& key) const {
    const auto it = json_.find(key);
    return it != json_.end() && !it->is_null();
}

void ConfigReader::fail(const std::string& key, const std::string& what) const {
    throw EngineError(where_ + ": key '" + key + "' " + what);
}

const nlohmann::json& ConfigReader::at(const std::string& key) const {
    const auto it = json_.find(key);
    if (it == json_.end() || it->is_null()) fail(key, "is missing");
    return *it;
}

namespace {

int64_t asInteger(const ConfigReader& r, const std::string& key, const nlohmann::json& v, int64_t min, int64_t max) {
    // Python writes integral floats (e.g. 1000.0) in some configs; accept them when exact.
    double d;
    if (v.is_number_integer()) {
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(max)) {
            r.fail(key, "is " + v.dump() + ", outside [" + std::to_string(min) + ", " + std::to_string(max) + "]");
        }
        d = static_cast<double>(v.get<int64_t>());
    } else if (v.is_number_float()) {
        d = v.get<double>();
        if (!std::isfinite(d) || std::floor(d) != d) r.fail(key, "must be an integer, not " + v.dump());
    } else {
        r.fail(key, "must be an integer, not " + v.dump());
    }
    if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
        r.fail(key, "is " + v.dump() + ", outside [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    return static_cast<int64_t>(d);
}

double asNumber(const ConfigReader& r, const std::string& key, const nlohmann::json& v) {
    if (!v.is_number()) r.fail(key, "must be a number, not " + v.dump());
    const double d = v.get<double>();
    if (!std::isfinite(d)) r.fail(key, "must be a finite number");
    return d;
}

}  // namespace

int64_t ConfigReader::integer(const std::string& key, int64_t min, int64_t max) const {
    return asInteger(*this, key, at(key), min, max);
}

double ConfigReader::number(const std::string& key) const { return asNumber(*this, key, at(key)); }

bool ConfigReader::boolean(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_boolean()) fail(key, "must be true or false, not " + v.dump());
    return v.get<bool>();
}

std::string ConfigReader::string(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_string()) fail(key, "must be a string, not " + v.dump());
    return v.get<std::string>();
}

std::vector<int64_t> ConfigReader::integers(const std::string& key, int64_t min, int64_t max) const {
    const auto& v = at(key);
    if (!v.is_array()) fail(key, "must be a list of integers");
    std::vector<int64_t> out;
    for (const auto& e : v) out.push_back(asInteger(*this, key, e, min, max));
    return out;
}

std::vector<double> ConfigReader::numbers(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_array()) fail(key, "must be a list of numbers");
    std::vector<double> out;
    for (const auto& e : v) out.push_back(asNumber(*this, key, e));
    return out;
}

std::vector<bool> ConfigReader::booleans(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_array()) fail(key, "must be a list of true/false");
    std::vector<bool> out;
    for (const auto& e : v) {
        if (!e.is_boolean()) fail(key, "must be a list of true/false");
        out.push_back(e.get<bool>());
    }
    return out;
}

int64_t ConfigReader::integerOr(const std::string& key, int64_t fallback, int64_t min, int64_t max) const {
    return has(key) ? integer(key, min, max) : fallback;
}

double ConfigReader::numberOr(const std::string& key, double fallback) const {
    return has(key) ? number(key) : fallback;
}

bool ConfigReader::booleanOr(const std::string& key, bool fallback) const {
    return has(key) ? boolean(key) : fallback;
}

std::string ConfigReader::stringOr(const std::string& key, const std::string& fallback) const {
    return has(key) ? string(key) : fallback;
}

std::optional<int64_t> ConfigReader::optionalInteger(const std::string& key, int64_t min, int64_t max) const {
    if (!has(key)) return std::nullopt;
    return integer(key, min, max);
}

}  // namespace kinora::engine
