#include "ui/export_dialog.h"

#include "studio/clip_export.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace kinora::ui {
namespace {

QString extensionOf(media::Format f) {
    switch (f) {
    case media::Format::Mp4: return QStringLiteral(".mp4");
    case media::Format::WebM: return QStringLiteral(".webm");
    case media::Format::Gif: return QStringLiteral(".gif");
    case media::Format::PngFrames: return {};
    }
    return {};
}

// The path without a video extension this dialog knows (a folder name for PNG frames).
QString withoutVideoExtension(const QString& path) {
    for (const auto f : {media::Format::Mp4, media::Format::WebM, media::Format::Gif}) {
        if (path.endsWith(extensionOf(f), Qt::CaseInsensitive)) return path.left(path.size() - extensionOf(f).size());
    }
    return path;
}

// The suggested name, or the first of "name-2", "name-3", ... that nothing has yet: exporting a clip a
// second time (trimmed, another scale) must not replace the first export behind the user's back.
QString unusedName(const QString& path) {
    if (!QFileInfo::exists(path)) return path;
    const QString stem = withoutVideoExtension(path), ext = path.mid(stem.size());
    for (int i = 2; i < 10000; ++i) {
        const QString candidate = QStringLiteral("%1-%2%3").arg(stem).arg(i).arg(ext);
        if (!QFileInfo::exists(candidate)) return candidate;
    }
    return path;  // the replace warning still says so
}

// Whether an export into `folder` would replace frames already there (the encoder's frame_NNNN.png names).
bool holdsFrames(const QString& folder) {
    return !QDir(folder).entryList({QStringLiteral("frame_*.png")}, QDir::Files).isEmpty();
}

// Where exports go unless the user says otherwise: the Videos folder when there is one.
QString defaultFolder() {
    const QString movies = QStandardPaths::writableLocation(QStandardPaths::MoviesLocation);
    return !movies.isEmpty() && QFileInfo(movies).isDir() ? movies : QDir::homePath();
}

}  // namespace

ExportDialog::ExportDialog(QString clipPath, bool sourceLabelled, int frameCount, int inFrame, int outFrame,
                           QWidget* parent)
    : QDialog(parent), clipPath_(std::move(clipPath)), sourceLabelled_(sourceLabelled), frameCount_(frameCount) {
    setWindowTitle(tr("Export Clip"));
    // Wide enough for the wrapped notes and a full path; word-wrapped labels in a form do not widen
    // a dialog by themselves.
    setMinimumWidth(520);

    format_ = new QComboBox(this);
    format_->addItem(tr("MP4 video (H.264)"), int(media::Format::Mp4));
    format_->addItem(tr("WebM video (VP9)"), int(media::Format::WebM));
    format_->addItem(tr("Animated GIF"), int(media::Format::Gif));
    format_->addItem(tr("PNG frames (a folder)"), int(media::Format::PngFrames));

    scale_ = new QSpinBox(this);
    scale_->setRange(1, 4);
    scale_->setSuffix(tr("×"));
    scale_->setToolTip(tr("Enlarges every frame by a whole factor (Lanczos: edges stay sharp)"));

    keepFps_ = new QCheckBox(tr("Keep the clip's frame rate"), this);
    keepFps_->setChecked(true);
    fps_ = new QSpinBox(this);
    fps_->setRange(1, 240);
    fps_->setValue(16);
    fps_->setSuffix(tr(" fps"));
    fps_->setEnabled(false);
    fps_->setToolTip(tr("Frames are repeated or dropped to reach this rate; the clip keeps its length"));
    auto* fpsRow = new QHBoxLayout;
    fpsRow->addWidget(keepFps_);
    fpsRow->addWidget(fps_);
    fpsRow->addStretch();

    const bool known = frameCount_ > 0;
    const int last = known ? frameCount_ - 1 : 0;
    in_ = new QSpinBox(this);
    out_ = new QSpinBox(this);
    in_->setRange(0, last);
    out_->setRange(0, last);
    in_->setValue(std::clamp(inFrame, 0, last));
    out_->setValue(outFrame < 0 ? last : std::clamp(outFrame, 0, last));
    in_->setEnabled(known);
    out_->setEnabled(known);
    auto* trimRow = new QHBoxLayout;
    trimRow->addWidget(new QLabel(tr("from frame"), this));
    trimRow->addWidget(in_);
    trimRow->addWidget(new QLabel(tr("to frame"), this));
    trimRow->addWidget(out_);
    trimRow->addStretch();
    auto* trimNote = new QLabel(known ? tr("Both frames included, counted from 0; the clip has %n frame(s).", nullptr, frameCount_)
                                      : tr("The clip's length is not known: the whole clip is exported."),
                                this);
    trimNote->setWordWrap(true);

    mark_ = new QCheckBox(tr("Draw the visible “AI” mark"), this);
    mark_->setChecked(true);
    auto* markNote = new QLabel(this);
    markNote->setWordWrap(true);
    if (sourceLabelled_) {
        // The mark is part of the picture of a clip generated with it; unticking could not remove it.
        mark_->setEnabled(false);
        markNote->setText(tr("This clip was generated with the mark, so it is already in its frames and every export "
                             "shows it."));
    } else {
        markNote->setText(tr("Either way the file and its .kinora.json sidecar record that the clip is AI-generated."));
    }

    target_ = new QLineEdit(this);
    target_->setObjectName(QStringLiteral("exportTarget"));
    browse_ = new QPushButton(tr("Browse…"), this);
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(target_, 1);
    targetRow->addWidget(browse_);
    const QString base = QStringLiteral("kinora-") + QFileInfo(clipPath_).dir().dirName();
    target_->setText(unusedName(QDir(defaultFolder()).filePath(base + extensionOf(media::Format::Mp4))));

    progress_ = new QProgressBar(this);
    progress_->setRange(0, 100);
    progress_->setValue(0);
    progress_->setVisible(false);
    message_ = new QLabel(this);
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    showInFolder_ = new QPushButton(tr("Show in Folder"), this);
    showInFolder_->setVisible(false);
    auto* messageRow = new QHBoxLayout;
    messageRow->addWidget(message_, 1);
    messageRow->addWidget(showInFolder_);

    auto* buttons = new QDialogButtonBox(this);
    export_ = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    export_->setDefault(true);
    close_ = buttons->addButton(QDialogButtonBox::Close);

    auto* form = new QFormLayout;
    form->addRow(tr("Format:"), format_);
    form->addRow(tr("Scale:"), scale_);
    form->addRow(tr("Frame rate:"), fpsRow);
    form->addRow(tr("Trim:"), trimRow);
    form->addRow(QString(), trimNote);
    form->addRow(tr("Mark:"), mark_);
    form->addRow(QString(), markNote);
    form->addRow(tr("Save to:"), targetRow);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(progress_);
    layout->addLayout(messageRow);
    layout->addWidget(buttons);

    connect(format_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ExportDialog::formatChanged);
    connect(keepFps_, &QCheckBox::toggled, this, [this](bool keep) {
        fps_->setEnabled(!keep);
        updateState();
    });
    for (auto* spin : {in_, out_, scale_, fps_}) connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, &ExportDialog::updateState);
    connect(target_, &QLineEdit::textChanged, this, &ExportDialog::updateState);
    connect(target_, &QLineEdit::textEdited, this, [this] { userNamed_ = true; });
    connect(browse_, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(export_, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(close_, &QPushButton::clicked, this, &ExportDialog::reject);
    connect(showInFolder_, &QPushButton::clicked, this, [this] {
        const QFileInfo out(lastOutput_);
        QDesktopServices::openUrl(QUrl::fromLocalFile(out.isDir() ? out.filePath() : out.absolutePath()));
    });
    connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &ExportDialog::finished);
    updateState();
}

ExportDialog::~ExportDialog() { watcher_.waitForFinished(); }

void ExportDialog::setTargetPath(const QString& path) { target_->setText(path); }

QString ExportDialog::targetPath() const { return target_->text().trimmed(); }

media::Format ExportDialog::format() const { return media::Format(format_->currentData().toInt()); }

void ExportDialog::formatChanged() {
    // The name follows the format: a file gets the format's extension, PNG frames a folder name.
    const QString t = targetPath();
    // A name the user chose is kept (an existing file is then flagged by updateState); a suggested one
    // stays unused.
    if (!t.isEmpty()) {
        const QString next = withoutVideoExtension(t) + extensionOf(format());
        target_->setText(userNamed_ ? next : unusedName(next));
    }
    updateState();
}

void ExportDialog::browse() {
    const media::Format f = format();
    QString chosen;
    if (f == media::Format::PngFrames) {
        chosen = QFileDialog::getExistingDirectory(this, tr("Folder for the PNG frames"),
                                                   QFileInfo(targetPath()).absolutePath());
    } else {
        const QString filter = f == media::Format::Mp4    ? tr("MP4 video (*.mp4)")
                               : f == media::Format::WebM ? tr("WebM video (*.webm)")
                                                          : tr("GIF image (*.gif)");
        chosen = QFileDialog::getSaveFileName(this, tr("Export As"), targetPath(), filter);
        if (!chosen.isEmpty() && !chosen.endsWith(extensionOf(f), Qt::CaseInsensitive)) {
            chosen = withoutVideoExtension(chosen) + extensionOf(f);
        }
    }
    if (!chosen.isEmpty()) {
        userNamed_ = true;
        target_->setText(QDir::toNativeSeparators(chosen));
    }
}

QString ExportDialog::validationError() const {
    const QString t = targetPath();
    if (t.isEmpty()) return tr("Choose where to save the export.");
    const QFileInfo target(t);
    const QFileInfo folder(target.absolutePath());
    if (!folder.exists()) return tr("The folder %1 does not exist.").arg(QDir::toNativeSeparators(folder.filePath()));
    if (!folder.isDir()) return tr("%1 is not a folder.").arg(QDir::toNativeSeparators(folder.filePath()));
    const media::Format f = format();
    if (f == media::Format::PngFrames) {
        if (target.exists() && !target.isDir()) {
            return tr("%1 is a file; PNG frames go into a folder. Choose a folder or a new folder name.")
                .arg(QDir::toNativeSeparators(t));
        }
    } else {
        if (!t.endsWith(extensionOf(f), Qt::CaseInsensitive)) {
            return tr("The file name must end in %1 for this format.").arg(extensionOf(f));
        }
        if (target.isDir()) return tr("%1 is a folder; give a file name.").arg(QDir::toNativeSeparators(t));
    }
    if (frameCount_ > 0 && in_->value() > out_->value()) {
        return tr("The trim starts at frame %1, after its end at frame %2.").arg(in_->value()).arg(out_->value());
    }
    return {};
}

void ExportDialog::updateState() {
    if (running()) return;
    const QString problem = validationError();
    export_->setEnabled(problem.isEmpty());
    // Only problems the user can see in the fields are shown while editing; a result stays until the
    // choices change.
    // Replacing is allowed (the user may mean it) but never silent: the button says so and why.
    QString replaces;
    if (problem.isEmpty()) {
        const QFileInfo target(targetPath());
        if (format() == media::Format::PngFrames) {
            if (target.isDir() && holdsFrames(target.filePath())) {
                replaces = tr("%1 already holds PNG frames; exporting replaces those with the same names.")
                               .arg(QDir::toNativeSeparators(targetPath()));
            }
        } else if (target.exists()) {
            replaces = tr("%1 already exists; exporting replaces it.").arg(QDir::toNativeSeparators(targetPath()));
        }
    }
    export_->setText(replaces.isEmpty() ? tr("Export") : tr("Replace"));
    message_->setText(problem.isEmpty() ? replaces : problem);
    showInFolder_->setVisible(false);
}

void ExportDialog::setProgress(double fraction) { progress_->setValue(int(fraction * 100 + 0.5)); }

void ExportDialog::startExport() {
    if (running()) return;
    const QString problem = validationError();
    if (!problem.isEmpty()) {
        fail(problem);
        return;
    }
    studio::ClipExportRequest request;
    request.input = clipPath_.toStdString();
    request.output = QDir::cleanPath(QFileInfo(targetPath()).absoluteFilePath()).toStdString();
    request.format = format();
    request.ops.scale = scale_->value();
    request.ops.label = mark_->isChecked();
    request.source_labelled = sourceLabelled_;
    if (!keepFps_->isChecked()) request.fps = fps_->value();
    if (frameCount_ > 0 && (in_->value() > 0 || out_->value() < frameCount_ - 1)) {
        request.ops.trim_begin = in_->value();
        request.ops.trim_end = out_->value() + 1;  // exportClip takes [begin, end)
    }

    for (QWidget* w : std::initializer_list<QWidget*>{format_, scale_, keepFps_, fps_, in_, out_, mark_, target_, browse_, export_, close_}) {
        w->setProperty("kinoraWasEnabled", w->isEnabled());
        w->setEnabled(false);
    }
    progress_->setValue(0);
    progress_->setVisible(true);
    showInFolder_->setVisible(false);
    message_->setText(tr("Exporting…"));

    // The callback runs on the export thread; the value is shown on this one. The destructor waits for
    // the thread, so `this` outlives every call.
    auto report = [this](double f) {
        QMetaObject::invokeMethod(this, [this, f] { setProgress(f); }, Qt::QueuedConnection);
    };
    watcher_.setFuture(QtConcurrent::run([request, report]() -> Outcome {
        Outcome o;
        try {
            const auto r = studio::exportClip(request, report);
            o.ok = true;
            o.path = QString::fromStdString(r.file.path);
            o.message = tr("Exported %n frame(s) of %1×%2 (%3) to %4.", nullptr, r.file.frames)
                            .arg(r.file.width)
                            .arg(r.file.height)
                            .arg(QLocale().formattedDataSize(qint64(r.file.bytes)))
                            .arg(QDir::toNativeSeparators(o.path));
            if (r.file.padded) o.message += QLatin1Char(' ') + tr("H.264 needs even sizes, so the edge was padded by a pixel.");
        } catch (const studio::FrameRateUnknown&) {
            o.message = tr("This clip does not say its frame rate. Untick “Keep the clip's frame rate” and choose one.");
        } catch (const std::exception& e) {
            o.message = QString::fromStdString(e.what());
        }
        return o;
    }));
}

void ExportDialog::finished() {
    const Outcome o = watcher_.result();
    for (QWidget* w : std::initializer_list<QWidget*>{format_, scale_, keepFps_, fps_, in_, out_, mark_, target_, browse_, export_, close_}) {
        w->setEnabled(w->property("kinoraWasEnabled").toBool());
    }
    progress_->setVisible(false);
    if (!o.ok) {
        fail(o.message);
        return;
    }
    lastOutput_ = o.path;
    message_->setText(o.message);
    // The file now exists: another click would replace it, and the button says so.
    export_->setText(tr("Replace"));
    showInFolder_->setVisible(true);
    emit exportFinished(o.path);
}

void ExportDialog::fail(const QString& message) {
    message_->setText(tr("Export failed: %1").arg(message));
    showInFolder_->setVisible(false);
    emit exportFailed(message);
}

void ExportDialog::reject() {
    if (running()) {
        message_->setText(tr("The export is still running; it cannot be stopped half-way. Please wait."));
        return;
    }
    QDialog::reject();
}

}  // namespace kinora::ui
