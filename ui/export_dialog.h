// Export a clip as MP4, WebM, GIF or PNG frames: scale, frame rate, trim (from the player's in/out
// marks), the visible AI mark, and where to put it. The work (decode, convert, encode) runs on a
// background thread through studio::exportClip, the same code as `kinora export`, with a progress bar;
// problems are shown in the dialog in plain words.
#pragma once

#include "media/encoder.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QString>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace kinora::ui {

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    // `frameCount` frames in the clip (0 or less: unknown, and the whole clip is exported);
    // `inFrame`..`outFrame` the frames the in and out marks sit on, both included, counted from 0
    // (out < 0: the last frame). `sourceLabelled`: the clip already has the visible mark drawn in.
    ExportDialog(QString clipPath, bool sourceLabelled, int frameCount, int inFrame, int outFrame,
                 QWidget* parent = nullptr);
    // Waits for a running export: its thread reports to this dialog.
    ~ExportDialog() override;

    // A file (.mp4 .webm .gif) or, for PNG frames, a folder (made when it does not exist).
    void setTargetPath(const QString& path);
    QString targetPath() const;
    media::Format format() const;
    // Why the current choices cannot be exported, in plain words; empty when they can.
    QString validationError() const;
    bool running() const { return watcher_.isRunning(); }

    // What the Export button does: checks the choices and starts the export in the background.
    void startExport();

    QComboBox* formatBox() const { return format_; }
    QSpinBox* scaleBox() const { return scale_; }
    QCheckBox* keepFpsBox() const { return keepFps_; }
    QSpinBox* fpsBox() const { return fps_; }
    QSpinBox* inBox() const { return in_; }
    QSpinBox* outBox() const { return out_; }
    QCheckBox* markBox() const { return mark_; }
    QLineEdit* targetEdit() const { return target_; }
    QProgressBar* progressBar() const { return progress_; }
    QLabel* messageLabel() const { return message_; }
    QPushButton* exportButton() const { return export_; }
    QPushButton* showInFolderButton() const { return showInFolder_; }

public slots:
    // Closing is refused while an export runs (it cannot be stopped half-way through the encoder).
    void reject() override;

signals:
    void exportFinished(QString path);
    void exportFailed(QString message);

private:
    struct Outcome {
        bool ok = false;
        QString message;  // the error, or what was written
        QString path;
    };
    void browse();
    void formatChanged();
    void updateState();
    void finished();
    void fail(const QString& message);
    void setProgress(double fraction);

    QString clipPath_;
    bool sourceLabelled_;
    int frameCount_;
    QComboBox* format_;
    QSpinBox* scale_;
    QCheckBox* keepFps_;
    QSpinBox* fps_;
    QSpinBox* in_;
    QSpinBox* out_;
    QCheckBox* mark_;
    QLineEdit* target_;
    QPushButton* browse_;
    QProgressBar* progress_;
    QLabel* message_;
    QPushButton* export_;
    QPushButton* close_;
    QPushButton* showInFolder_;
    QString lastOutput_;
    bool userNamed_ = false;  // the target was typed or browsed to, not suggested
    QFutureWatcher<Outcome> watcher_;
};

}  // namespace kinora::ui
