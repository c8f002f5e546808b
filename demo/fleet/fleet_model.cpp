// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/fleet_model.h"

namespace vigil::demo {

QString trackName(Track track)
{
    return track == Track::Canary ? QStringLiteral("canary") : QStringLiteral("stable");
}

const ModelVersionInfo *ModelInfo::version(const QString &v) const
{
    for (const auto &info : versions)
        if (info.version == v)
            return &info;
    return nullptr;
}

const FeatureInfo *ModelInfo::feature(const QString &f) const
{
    for (const auto &info : features)
        if (info.name == f)
            return &info;
    return nullptr;
}

QString deploymentName(const ModelInfo &model, const ModelVersionInfo &version)
{
    return model.name + QLatin1Char('-') + version.version;
}

namespace {

QList<double> tenths()
{
    QList<double> b;
    for (int i = 1; i <= 10; ++i)
        b.append(i / 10.0);
    return b;
}

// Fixed dates so the registry data is the same on every run: early 2024.
constexpr qint64 kJan2024 = 1'704'067'200'000; // 2024-01-01T00:00:00Z
constexpr qint64 kDay = 86'400'000;

QList<ModelInfo> buildFleet()
{
    ModelInfo fraud;
    fraud.name = QStringLiteral("fraud-detector");
    fraud.description = QStringLiteral("Scores card transactions for fraud; gradient-boosted trees.");
    fraud.creationTimestampMs = kJan2024 + 3 * kDay;
    fraud.features = {
        {QStringLiteral("amount"), QStringLiteral("USD"),
         {5, 10, 20, 35, 50, 75, 100, 150, 250, 400, 600, 1000, 2500, 5000}},
        {QStringLiteral("merchant_risk"), QStringLiteral("0..1"), tenths()},
    };
    fraud.versions = {
        {QStringLiteral("v12"), 12, Track::Stable, QStringLiteral("Production"), {QStringLiteral("champion")},
         QStringLiteral("8f3c2a91d4b74e0c9a6f51e2d7b80c13"), QStringLiteral("4"), kJan2024 + 120 * kDay,
         QStringLiteral("mlflow-artifacts:/4/8f3c2a91d4b74e0c9a6f51e2d7b80c13/artifacts/model"),
         QStringLiteral("Retrained on Q1 transactions."),
         {{QStringLiteral("accuracy"), 0.987}, {QStringLiteral("f1"), 0.902}, {QStringLiteral("roc_auc"), 0.981},
          {QStringLiteral("precision"), 0.941}, {QStringLiteral("recall"), 0.866}},
         0.85},
        {QStringLiteral("v13"), 13, Track::Canary, QStringLiteral("Staging"), {QStringLiteral("challenger")},
         QStringLiteral("b71e04c6f2a94d3d8e55c0a9136f2b7e"), QStringLiteral("4"), kJan2024 + 151 * kDay,
         QStringLiteral("mlflow-artifacts:/4/b71e04c6f2a94d3d8e55c0a9136f2b7e/artifacts/model"),
         QStringLiteral("Adds merchant graph embeddings; larger model."),
         {{QStringLiteral("accuracy"), 0.989}, {QStringLiteral("f1"), 0.914}, {QStringLiteral("roc_auc"), 0.986},
          {QStringLiteral("precision"), 0.948}, {QStringLiteral("recall"), 0.882}},
         0.15},
    };

    // Params differ where the versions differ: a larger, slower tree model.
    fraud.versions[0].runName = QStringLiteral("xgb-q1-retrain");
    fraud.versions[0].params = {{QStringLiteral("model"), QStringLiteral("xgboost")},
                                {QStringLiteral("learning_rate"), QStringLiteral("0.05")},
                                {QStringLiteral("max_depth"), QStringLiteral("8")},
                                {QStringLiteral("n_estimators"), QStringLiteral("800")},
                                {QStringLiteral("features"), QStringLiteral("tabular")},
                                {QStringLiteral("seed"), QStringLiteral("1234")}};
    fraud.versions[0].tags = {{QStringLiteral("validation_status"), QStringLiteral("approved")},
                              {QStringLiteral("framework"), QStringLiteral("xgboost")}};
    fraud.versions[1].runName = QStringLiteral("xgb-graph-embeddings");
    fraud.versions[1].params = {{QStringLiteral("model"), QStringLiteral("xgboost")},
                                {QStringLiteral("learning_rate"), QStringLiteral("0.03")},
                                {QStringLiteral("max_depth"), QStringLiteral("10")},
                                {QStringLiteral("n_estimators"), QStringLiteral("1400")},
                                {QStringLiteral("features"), QStringLiteral("tabular+merchant_graph")},
                                {QStringLiteral("seed"), QStringLiteral("1234")}};
    fraud.versions[1].tags = {{QStringLiteral("validation_status"), QStringLiteral("pending")},
                              {QStringLiteral("framework"), QStringLiteral("xgboost")}};

    ModelInfo spam;
    spam.name = QStringLiteral("spam-filter");
    spam.description = QStringLiteral("Classifies inbound mail as spam; logistic regression on text features.");
    spam.creationTimestampMs = kJan2024 + 10 * kDay;
    spam.features = {
        {QStringLiteral("body_length"), QStringLiteral("characters"),
         {50, 100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000}},
        {QStringLiteral("link_count"), QStringLiteral("links"), {0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20}},
        {QStringLiteral("sender_reputation"), QStringLiteral("0..1"), tenths()},
    };
    spam.versions = {
        {QStringLiteral("v7"), 7, Track::Stable, QStringLiteral("Production"), {QStringLiteral("champion")},
         QStringLiteral("2d9a6e13c58f4b70a1e3f9c4b6d20e85"), QStringLiteral("7"), kJan2024 + 98 * kDay,
         QStringLiteral("mlflow-artifacts:/7/2d9a6e13c58f4b70a1e3f9c4b6d20e85/artifacts/model"),
         QStringLiteral("Baseline with sender reputation."),
         {{QStringLiteral("accuracy"), 0.962}, {QStringLiteral("f1"), 0.948}, {QStringLiteral("roc_auc"), 0.988},
          {QStringLiteral("precision"), 0.968}, {QStringLiteral("recall"), 0.929}},
         0.88},
        {QStringLiteral("v8"), 8, Track::Canary, QStringLiteral("Staging"), {QStringLiteral("challenger")},
         QStringLiteral("e6047b2fa1c34d9e8b7d5a0c3f19e642"), QStringLiteral("7"), kJan2024 + 149 * kDay,
         QStringLiteral("mlflow-artifacts:/7/e6047b2fa1c34d9e8b7d5a0c3f19e642/artifacts/model"),
         QStringLiteral("Adds body-length and link features."),
         {{QStringLiteral("accuracy"), 0.968}, {QStringLiteral("f1"), 0.956}, {QStringLiteral("roc_auc"), 0.991},
          {QStringLiteral("precision"), 0.975}, {QStringLiteral("recall"), 0.938}},
         0.12},
    };
    spam.versions[0].runName = QStringLiteral("logreg-reputation");
    spam.versions[0].params = {{QStringLiteral("model"), QStringLiteral("logistic_regression")},
                               {QStringLiteral("C"), QStringLiteral("1.0")},
                               {QStringLiteral("penalty"), QStringLiteral("l2")},
                               {QStringLiteral("features"), QStringLiteral("tfidf+sender_reputation")},
                               {QStringLiteral("seed"), QStringLiteral("7")}};
    spam.versions[0].tags = {{QStringLiteral("validation_status"), QStringLiteral("approved")},
                             {QStringLiteral("framework"), QStringLiteral("sklearn")}};
    spam.versions[1].runName = QStringLiteral("logreg-body-links");
    spam.versions[1].params = {{QStringLiteral("model"), QStringLiteral("logistic_regression")},
                               {QStringLiteral("C"), QStringLiteral("0.5")},
                               {QStringLiteral("penalty"), QStringLiteral("l2")},
                               {QStringLiteral("features"), QStringLiteral("tfidf+sender_reputation+body_length+link_count")},
                               {QStringLiteral("seed"), QStringLiteral("7")}};
    spam.versions[1].tags = {{QStringLiteral("validation_status"), QStringLiteral("pending")},
                             {QStringLiteral("framework"), QStringLiteral("sklearn")}};
    return {fraud, spam};
}

} // namespace

const QList<ModelInfo> &demoFleet()
{
    static const QList<ModelInfo> fleet = buildFleet();
    return fleet;
}

} // namespace vigil::demo
