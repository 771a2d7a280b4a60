// What a clip of the shapes world shows, measured with OpenCV: the background type, and for each
// object its colour, shape and motion. Used to evaluate kinora-tiny (does the clip show what the
// prompt asked for?) and checked against rendered clips with known ground truth.
//
// Strict on purpose (DESIGN.md: a lenient analyser credited a model that painted the right colour in
// scattered patches): colour, shape and motion are only reported for a coherent object, i.e. one
// connected component in every frame, of stable area (apart from a growing/shrinking trend), of one
// uniform colour, holding most of the pixels of that colour, and moving continuously. Noise, constant
// frames, scattered patches, flicker and objects that split get no colour, shape or motion.
#pragma once

#include "media/frames.h"
#include "worldgen/world.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace kinora::world {

struct AnalyserOptions {
    double foreground_distance = 40;    // RGB distance from the background that makes a pixel foreground
    double max_color_distance = 60;     // mean object colour to the nearest palette centre; else unknown
    double max_background_distance = 25;  // mean row-colour distance to the nearest background prototype
    double min_dominance = 0.8;         // share of the clip's pixels of the object's colour inside the object
    double max_clutter = 0.04;          // share of the frame that is foreground outside the objects
};

struct TrackPoint {
    double x = 0, y = 0;  // centroid, pixels
    double area = 0;      // pixels
    double angle = 0;     // orientation (radians, modulo the shape's symmetry, unwrapped over the clip)
};

struct ObjectAnalysis {
    std::optional<Color> color;
    std::optional<Shape> shape;
    std::optional<Motion> motion;
    bool accelerating = false;  // the (downward) movement speeds up: falling, the drop of a bounce
    bool coherent = false;
    double color_confidence = 0;  // 0..1
    double shape_confidence = 0;
    double motion_confidence = 0;
    std::array<double, 3> mean_rgb{};  // measured object colour (interior pixels, median over frames)
    double color_distance = 0;         // to the nearest palette centre
    double dominance = 0;              // share of the clip's pixels of this colour inside this object
    double rotation = 0;               // total measured rotation, radians (0 for a circle)
    std::vector<TrackPoint> track;     // one point per frame (empty entries where it was not found)
    std::vector<std::string> reasons;  // why each attribute was (not) decided
};

struct Analysis {
    std::optional<Background> background;
    double background_confidence = 0;
    double background_distance = 0;  // mean row-colour distance to the chosen prototype
    int object_count = 0;            // objects found (connected components present in most frames)
    // The largest object's results (objects[0]); unknown/false when there is none.
    std::optional<Color> color;
    std::optional<Shape> shape;
    std::optional<Motion> motion;
    bool accelerating = false;
    bool coherent = false;  // every object found is coherent, and there are 1 or 2
    double color_confidence = 0, shape_confidence = 0, motion_confidence = 0;
    std::vector<ObjectAnalysis> objects;  // largest first
    std::vector<std::string> reasons;
};

// Throws std::invalid_argument for clips with fewer than 5 frames or frames of different sizes.
Analysis analyse(const media::Clip& clip, const AnalyserOptions& options = {});

// "red circle moving left, black background" / "no coherent object (...), black background".
std::string describe(const Analysis& a);

}  // namespace kinora::world
