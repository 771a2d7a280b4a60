// Runs the real programs (kinora, kinora-studio) for the tests of the command line and the app.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace kinora::test {

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

// The environment of the tests' kinora runs: the system's, with the history and clips in a folder of
// this test process that is removed when it ends (tests never leave data behind).
inline QProcessEnvironment testEnvironment() {
    static QTemporaryDir data;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KINORA_DATA_DIR"), data.path());
    return env;
}

// Runs `program` to the end (killed after `timeoutMs`: err "timed out", exitCode -1; a crash: -2).
inline CliRun runProgram(const QString& program, const QStringList& args, const QProcessEnvironment& env,
                         int timeoutMs) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    CliRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

#ifdef KINORA_CLI
inline CliRun runKinora(const QStringList& args, const QProcessEnvironment& env = testEnvironment(),
                        int timeoutMs = 300000) {
    return runProgram(QStringLiteral(KINORA_CLI), args, env, timeoutMs);
}
#endif

}  // namespace kinora::test
