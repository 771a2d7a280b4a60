// The reference fixtures are an exact copy of the canonical implementation's outputs: every file must
// still have the SHA-256 recorded in the manifest, so no test can pass against edited data.
#include <QtTest>

class TestReferenceData : public QObject {
    Q_OBJECT
private slots:
    void everyFileMatchesTheManifest() {
        const QString root = QStringLiteral(KINORA_TEST_DATA_DIR "/wan-tiny");
        QFile manifest(root + QStringLiteral("/manifest.json"));
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        const auto sums = QJsonDocument::fromJson(manifest.readAll()).object()["sha256"].toObject();
        QVERIFY(sums.size() >= 20);
        for (auto it = sums.begin(); it != sums.end(); ++it) {
            QFile f(root + QLatin1Char('/') + it.key());
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(it.key()));
            QCryptographicHash h(QCryptographicHash::Sha256);
            QVERIFY(h.addData(&f));
            QCOMPARE(QString::fromLatin1(h.result().toHex()), it.value().toString());
        }
    }
};

QTEST_GUILESS_MAIN(TestReferenceData)
#include "test_reference_data.moc"
