// SPDX-License-Identifier: GPL-3.0-or-later
// `vigil drift` and `vigil detect` as users run them (the logic behind
// app/commands/*, in core/drift), on the fixture files in tests/fixtures/drift:
// each file shape, each exit status. Expected numbers come from
// tests/tools/gen_drift_cases.py (cli_expected.json).
#include <catch2/catch.hpp>

#include "drift/detect_replay.h"
#include "drift/drift_report.h"
#include "prometheus_response.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace vigil;
using namespace vigil::drift;

namespace {

QString fixturePath(const char *name)
{
    return QStringLiteral(VIGIL_SOURCE_DIR "/tests/fixtures/drift/") + QLatin1String(name);
}

struct Run
{
    int status = -1;
    QString out;
    QString err;
};

const QueryParser kParser = [](QByteArrayView body) {
    return prometheus::parseQueryResponse(body, 0, QStringLiteral("application/json"));
};

Run runDrift(const QStringList &args)
{
    Run r;
    QTextStream out(&r.out), err(&r.err);
    r.status = runDriftCli(args, out, err, kParser);
    out.flush();
    err.flush();
    return r;
}

Run detect(const QStringList &args)
{
    Run r;
    QTextStream out(&r.out), err(&r.err);
    r.status = runDetectCli(args, out, err);
    out.flush();
    err.flush();
    return r;
}

QJsonObject parseJson(const QString &text)
{
    QJsonParseError e;
    const QJsonDocument d = QJsonDocument::fromJson(text.toUtf8(), &e);
    INFO(text.toStdString());
    REQUIRE(e.error == QJsonParseError::NoError);
    return d.object();
}

QJsonObject expected(const char *key)
{
    QFile f(fixturePath("cli_expected.json"));
    REQUIRE(f.open(QIODevice::ReadOnly));
    return QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String(key)).toObject();
}

void checkScores(const QJsonObject &got, const QJsonObject &want)
{
    REQUIRE(got.value("status").toString() == want.value("status").toString());
    for (const char *k : {"n_ref", "n_cur", "psi", "ks", "ks_pvalue", "js", "hellinger", "wasserstein",
                          "wasserstein_normed"}) {
        INFO(k);
        CHECK(got.value(QLatin1String(k)).toDouble()
              == Approx(want.value(QLatin1String(k)).toDouble()).epsilon(1e-11).margin(1e-14));
    }
    CHECK(got.value("verdicts").toObject() == want.value("verdicts").toObject());
}

} // namespace

// ---- vigil drift ----

TEST_CASE("drift: a Prometheus query response gives one comparison per label group", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_query_reference.json"), "--current",
                         fixturePath("cli_query_current.json"), "--json"});
    INFO(r.err.toStdString());
    CHECK(r.status == 0);
    const QJsonObject o = parseJson(r.out);
    const QJsonArray comparisons = o.value("comparisons").toArray();
    REQUIRE(comparisons.size() == 2);
    // Sorted by labels; the le label is gone, the metric name kept.
    const QJsonObject age = comparisons[0].toObject();
    const QJsonObject income = comparisons[1].toObject();
    CHECK(age.value("name").toString() == "model_feature_value_bucket");
    CHECK(age.value("labels").toObject() == QJsonObject{{"feature", "age"}, {"model", "fraud"}});
    CHECK(income.value("labels").toObject().value("feature").toString() == "income");
    const QJsonObject want = expected("query");
    checkScores(age, want.value("feature=\"age\", model=\"fraud\"").toObject());
    checkScores(income, want.value("feature=\"income\", model=\"fraud\"").toObject());
    CHECK(age.value("error_kind").isNull());
    // One of two features drifted by PSI: share 0.5 >= 0.5, dataset drift.
    const QJsonObject dataset = o.value("dataset").toObject();
    CHECK(dataset.value("features").toInt() == 2);
    CHECK(dataset.value("drifted").toInt() == 1);
    CHECK(dataset.value("drift").toBool());
}

TEST_CASE("drift: a Prometheus result vector in any series order gives the same report", "[drift][cli]")
{
    // Prometheus promises no order of the series in a vector: reverse the
    // reference's (every group and every le comes out backwards).
    QFile f(fixturePath("cli_query_reference.json"));
    REQUIRE(f.open(QIODevice::ReadOnly));
    QJsonObject body = QJsonDocument::fromJson(f.readAll()).object();
    QJsonObject data = body.value("data").toObject();
    const QJsonArray result = data.value("result").toArray();
    QJsonArray reversed;
    for (qsizetype i = result.size() - 1; i >= 0; --i)
        reversed.append(result[i]);
    data.insert("result", reversed);
    body.insert("data", data);
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    const QString path = dir.filePath("reversed.json");
    QFile out(path);
    REQUIRE(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(body).toJson());
    out.close();

    const Run asIs = runDrift({"--reference", fixturePath("cli_query_reference.json"), "--current",
                               fixturePath("cli_query_current.json"), "--json"});
    const Run shuffled = runDrift({"--reference", path, "--current", fixturePath("cli_query_current.json"), "--json"});
    CHECK(shuffled.status == 0);
    CHECK(shuffled.out == asIs.out); // byte for byte: same order, same digits
}

TEST_CASE("drift: bucket files compare their single histograms", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_buckets_reference.json"), "--current",
                         fixturePath("cli_buckets_current.json"), "--json"});
    CHECK(r.status == 0);
    const QJsonArray comparisons = parseJson(r.out).value("comparisons").toArray();
    REQUIRE(comparisons.size() == 1);
    checkScores(comparisons[0].toObject(), expected("buckets"));
}

TEST_CASE("drift: a two-scrape file compares the window between its scrapes", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_buckets_reference.json"), "--current",
                         fixturePath("cli_scrapes_current.json"), "--json"});
    CHECK(r.status == 0);
    const QJsonArray comparisons = parseJson(r.out).value("comparisons").toArray();
    REQUIRE(comparisons.size() == 1);
    checkScores(comparisons[0].toObject(), expected("scrapes"));
}

TEST_CASE("drift: numbers are printed with full double precision", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_buckets_reference.json"), "--current",
                         fixturePath("cli_buckets_current.json"), "--json"});
    const QJsonObject got = parseJson(r.out).value("comparisons").toArray()[0].toObject();
    const DriftFile ref = readDriftFile(fixturePath("cli_buckets_reference.json"), kParser);
    const DriftFile cur = readDriftFile(fixturePath("cli_buckets_current.json"), kParser);
    const Comparison c = compareWindows(groupWindow(ref.groups[0], ref.shape), groupWindow(cur.groups[0], cur.shape));
    // Read back bit for bit.
    CHECK(got.value("psi").toDouble() == c.scores.psi);
    CHECK(got.value("js").toDouble() == c.scores.js);
    CHECK(got.value("wasserstein_normed").toDouble() == c.scores.wassersteinNormed);
    CHECK(jsonNumber(0.1) == "0.10000000000000001");
}

TEST_CASE("drift: an empty window is insufficient data and exits 0", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_buckets_reference.json"), "--current",
                         fixturePath("cli_buckets_empty.json"), "--json"});
    CHECK(r.status == 0);
    const QJsonObject c = parseJson(r.out).value("comparisons").toArray()[0].toObject();
    CHECK(c.value("status").toString() == "insufficient_data");
    CHECK(c.value("n_cur").toDouble() == 0.0);
    CHECK(c.value("psi").isNull());
    CHECK_FALSE(c.value("reason").toString().isEmpty());
}

TEST_CASE("drift: an invalid histogram is an error with its kind and exits 1", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_buckets_bad.json"), "--current",
                         fixturePath("cli_buckets_current.json"), "--json"});
    CHECK(r.status == 1);
    const QJsonObject c = parseJson(r.out).value("comparisons").toArray()[0].toObject();
    CHECK(c.value("status").toString() == "error");
    CHECK(c.value("error_kind").toString() == "missing_inf_bucket");
    CHECK(c.value("reason").toString().startsWith("reference: "));
    CHECK(c.value("n_ref").isNull());
}

TEST_CASE("drift: one bad group fails the run but the others are still reported", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_query_reference.json"), "--current",
                         fixturePath("cli_query_bad_group.json"), "--json"});
    CHECK(r.status == 1);
    const QJsonArray comparisons = parseJson(r.out).value("comparisons").toArray();
    REQUIRE(comparisons.size() == 2);
    CHECK(comparisons[0].toObject().value("status").toString() == "ok");
    CHECK(comparisons[1].toObject().value("error_kind").toString() == "missing_inf_bucket");
}

TEST_CASE("drift: a label group on one side only is an error with a reason", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_query_reference.json"), "--current",
                         fixturePath("cli_query_bad_group.json")});
    CHECK(r.status == 1);
    // Text output names the failing series and the kind.
    CHECK(r.out.contains("feature=\"income\""));
    CHECK(r.out.contains("missing_inf_bucket"));
    CHECK(r.out.contains("dataset: "));

    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    QFile f(dir.filePath("other.json"));
    REQUIRE(f.open(QIODevice::WriteOnly));
    f.write(R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"m_bucket","feature":"age","le":"1"},"value":[1,"3"]},
        {"metric":{"__name__":"m_bucket","feature":"age","le":"+Inf"},"value":[1,"4"]},
        {"metric":{"__name__":"m_bucket","feature":"zip","le":"1"},"value":[1,"3"]},
        {"metric":{"__name__":"m_bucket","feature":"zip","le":"+Inf"},"value":[1,"4"]}]}})");
    f.close();
    const Run m = runDrift({"--reference", fixturePath("cli_query_reference.json"), "--current", f.fileName(), "--json"});
    CHECK(m.status == 1);
    const QJsonArray comparisons = parseJson(m.out).value("comparisons").toArray();
    CHECK(comparisons.size() == 4); // nothing pairs: the metric names differ
    for (const QJsonValue &c : comparisons) {
        CHECK(c.toObject().value("status").toString() == "error");
        CHECK(c.toObject().value("error_kind").isNull());
        CHECK(c.toObject().value("reason").toString().startsWith("no series with these labels"));
    }
}

TEST_CASE("drift: text output lists every score and its verdict", "[drift][cli]")
{
    const Run r = runDrift({"--reference", fixturePath("cli_query_reference.json"), "--current",
                         fixturePath("cli_query_current.json")});
    CHECK(r.status == 0);
    for (const char *word : {"psi", "ks p-value (asymp.)", "jensen-shannon", "hellinger", "wasserstein normed",
                             "drift", "1 of 2 features drifted"}) {
        INFO(word);
        CHECK(r.out.contains(QLatin1String(word)));
    }
}

TEST_CASE("drift: usage and unreadable files exit 2 with a message", "[drift][cli]")
{
    CHECK(runDrift({}).status == 2);
    CHECK(runDrift({"--reference", fixturePath("cli_buckets_reference.json")}).status == 2);
    CHECK(runDrift({"--reference"}).status == 2);
    CHECK(runDrift({"--bogus"}).status == 2);
    CHECK(runDrift({"--help"}).status == 0);

    const Run missing = runDrift({"--reference", "/nonexistent/a.json", "--current", fixturePath("cli_buckets_current.json")});
    CHECK(missing.status == 2);
    CHECK(missing.err.contains("/nonexistent/a.json"));

    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    auto write = [&](const char *name, const QByteArray &body) {
        QFile f(dir.filePath(QLatin1String(name)));
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(body);
        return f.fileName();
    };
    const Run notJson = runDrift({"--reference", write("a.json", "{oops"), "--current", fixturePath("cli_buckets_current.json")});
    CHECK(notJson.status == 2);
    CHECK(notJson.err.contains("not JSON"));
    const Run shape = runDrift({"--reference", write("b.json", R"({"histogram": []})"), "--current",
                             fixturePath("cli_buckets_current.json")});
    CHECK(shape.status == 2);
    CHECK(shape.err.contains("unknown shape"));
    const Run promError = runDrift({"--reference", write("c.json", R"({"status":"error","errorType":"bad_data","error":"parse error"})"),
                                 "--current", fixturePath("cli_buckets_current.json")});
    CHECK(promError.status == 2);
    CHECK(promError.err.contains("parse error"));
    const Run matrix = runDrift({"--reference", write("d.json", R"({"status":"success","data":{"resultType":"matrix","result":[]}})"),
                              "--current", fixturePath("cli_buckets_current.json")});
    CHECK(matrix.status == 2);
    CHECK(matrix.err.contains("not a vector"));
    const Run noLe = runDrift({"--reference", write("e.json", R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"up"},"value":[1,"1"]}]}})"), "--current", fixturePath("cli_buckets_current.json")});
    CHECK(noLe.status == 2);
    CHECK(noLe.err.contains("no le label"));
}

// ---- vigil detect ----

TEST_CASE("detect: prints the indices where drift was flagged", "[drift][cli]")
{
    const QString stream = fixturePath("river_two_distributions_12345.txt");
    const Run ph = detect({"--detector", "page-hinkley", stream});
    CHECK(ph.status == 0);
    CHECK(ph.out == "1006\n");
    const Run adwin = detect({"--detector", "adwin", stream, "--json"});
    CHECK(adwin.status == 0);
    const QJsonObject o = parseJson(adwin.out);
    CHECK(o.value("detector").toString() == "adwin");
    CHECK(o.value("n").toInt() == 2000);
    CHECK(o.value("drifts").toArray() == QJsonArray{1023});
    CHECK(o.value("params").toObject().value("clock").toInt() == 32);
    const Run ddm = detect({"--detector", "ddm", fixturePath("river_ddm_42.txt"), "--json"});
    CHECK(ddm.status == 0);
    const QJsonObject d = parseJson(ddm.out);
    CHECK(d.value("drifts").toArray() == QJsonArray{1334});
    CHECK(d.value("warnings").toArray().first().toInt() == 1084);
}

TEST_CASE("detect: --param sets River's parameters by name", "[drift][cli]")
{
    const QString stream = fixturePath("river_two_distributions_12345.txt");
    // A threshold above anything this stream reaches: no detection, exit 0, empty output.
    const Run none = detect({"--detector", "page-hinkley", "--param", "threshold=1e9", stream});
    CHECK(none.status == 0);
    CHECK(none.out.isEmpty());
    const Run json = detect({"--detector=page-hinkley", "--param", "mode=up", "--param", "alpha=0.99", stream, "--json"});
    CHECK(json.status == 0);
    const QJsonObject params = parseJson(json.out).value("params").toObject();
    CHECK(params.value("mode").toString() == "up");
    CHECK(params.value("alpha").toDouble() == 0.99);
}

TEST_CASE("detect: bad usage or input exits 2 and says where", "[drift][cli]")
{
    const QString stream = fixturePath("river_two_distributions_12345.txt");
    CHECK(detect({stream}).status == 2);
    CHECK(detect({"--detector", "adwin"}).status == 2);
    const Run unknown = detect({"--detector", "kswin", stream});
    CHECK(unknown.status == 2);
    CHECK(unknown.err.contains("unknown detector"));
    const Run badParam = detect({"--detector", "adwin", "--param", "delta=abc", stream});
    CHECK(badParam.status == 2);
    CHECK(badParam.err.contains("delta=abc"));
    CHECK(detect({"--detector", "adwin", "--param", "delta", stream}).status == 2);
    CHECK(detect({"--detector", "adwin", "/nonexistent/series.txt"}).status == 2);

    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    auto write = [&](const char *name, const QByteArray &body) {
        QFile f(dir.filePath(QLatin1String(name)));
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(body);
        return f.fileName();
    };
    const Run badLine = detect({"--detector", "adwin", write("s.txt", "1\n2\n\n# note\nthree\n")});
    CHECK(badLine.status == 2);
    CHECK(badLine.err.contains("s.txt:5"));
    const Run ddm = detect({"--detector", "ddm", write("d.txt", "0\n1\n0.5\n")});
    CHECK(ddm.status == 2);
    CHECK(ddm.err.contains("ddm takes 1 (error) or 0 (success)"));
}

TEST_CASE("detect: blank lines and comments are not values", "[drift][cli]")
{
    const SeriesInput in = parseSeries("# error rate\n0.5\n\n 0.25 \n1e-3\n", QStringLiteral("s"));
    REQUIRE(in.ok());
    CHECK(in.values == std::vector<double>{0.5, 0.25, 0.001});
}
