# A second correct solution of exercise 27.29: other model and metric implementations (cosine
# co-occurrence built with matrices, a liblinear logistic regression on hand-standardised features,
# Laplace-smoothed features, NumPy metrics), and another storage format and key layout for the IO
# manager (gzip-compressed pickles at <prefix>/<asset>/<day>.pkl.gz, written with boto3's transfer
# functions or an atomic rename). The tests and the wiring are the reference's.

### REGION validate_interactions
events = raw.loc[~raw.duplicated(subset=["user_id", "item_id", "timestamp", "event"]), EVENT_COLUMNS]
order = np.argsort(events["timestamp"].to_numpy(), kind="stable")
return events.iloc[order].reset_index(drop=True)

### REGION split_by_time
position = np.empty(len(events), dtype=np.int64)
position[np.argsort(events["timestamp"].to_numpy(), kind="stable")] = np.arange(len(events))
cut = len(events) - int(np.ceil(len(events) * test_fraction))
return pd.Series(np.where(position < cut, "train", "test"), index=events.index, name="split")

### REGION build_training_features
events = validated.sort_values("timestamp", kind="stable").reset_index(drop=True)
events["split"] = split_by_time(events)
events["category"] = events["item_id"].map(dict(zip(items["item_id"], items["category"])))
train = events[events["split"] == "train"]
n_categories = max(int(items["category"].nunique()), 1)

def per(key, column, how):
    return events[key].map(train.groupby(key)[column].agg(how)).fillna(0.0).astype(float)

item_n, item_clicks = per("item_id", "clicked", "size"), per("item_id", "clicked", "sum")
user_n, user_clicks = per("user_id", "clicked", "size"), per("user_id", "clicked", "sum")
in_category = (events.merge(train.groupby(["user_id", "category"]).size().rename("n").reset_index(),
                            on=["user_id", "category"], how="left")["n"].fillna(0.0).to_numpy())
return pd.DataFrame({
    "user_id": events["user_id"].astype("int64"), "item_id": events["item_id"].astype("int64"),
    "timestamp": events["timestamp"], "clicked": events["clicked"].astype("int64"),
    "split": events["split"].astype(str),
    "item_popularity": item_n / max(len(train), 1),
    "item_ctr": (item_clicks + 1.0) / (item_n + 2.0),
    "user_activity": np.log1p(user_n),
    "user_ctr": (user_clicks + 1.0) / (user_n + 2.0),
    "category_affinity": (in_category + 1.0) / (user_n.to_numpy() + n_categories),
})

### REGION train_retrieval_model
train = features.loc[features["split"] == "train", ["user_id", "item_id"]].drop_duplicates()
users, user_index = np.unique(train["user_id"].to_numpy(), return_inverse=True)
item_ids, item_index = np.unique(train["item_id"].to_numpy(), return_inverse=True)
seen = np.zeros((len(users), len(item_ids)))
seen[user_index, item_index] = 1.0
counts = seen.T @ seen                        # users who interacted with both items
popularity = np.diag(counts).copy()
cosine = counts / np.sqrt(np.outer(popularity, popularity))
np.fill_diagonal(cosine, popularity)          # the diagonal keeps each item's popularity
rows = []
for i, item in enumerate(item_ids):
    order = np.lexsort((item_ids, -cosine[i]))
    keep = [j for j in order if cosine[i, j] > 0][:max_neighbors]
    if i not in keep:
        keep = keep[:-1] + [i] if len(keep) >= max_neighbors else keep + [i]
    rows += [(int(item), int(item_ids[j]), float(cosine[i, j])) for j in keep]
return pd.DataFrame(rows, columns=["item_id", "neighbor_id", "score"]).astype(
    {"item_id": "int64", "neighbor_id": "int64", "score": "float64"})

### REGION recommend
if k <= 0 or model.empty:
    return []
popularity = model.loc[model["item_id"] == model["neighbor_id"]].set_index("item_id")["score"]
mine = model[model["item_id"].isin(list(seen)) & (model["item_id"] != model["neighbor_id"])]
votes = mine.groupby("neighbor_id")["score"].sum()
votes = votes.add(popularity[popularity.index.isin(list(seen))] * 1.0, fill_value=0.0)
candidates = pd.Index(popularity.index).union(model["neighbor_id"].unique())
table = pd.DataFrame({"item": candidates, "votes": votes.reindex(candidates).fillna(0.0).to_numpy(),
                      "popularity": popularity.reindex(candidates).fillna(0.0).to_numpy()})
table = table.sort_values(["votes", "popularity", "item"], ascending=[False, False, True], kind="stable")
return table["item"].astype(int).head(k).tolist()

### REGION train_ranking_model
from sklearn.linear_model import LogisticRegression

train = features[features["split"] == "train"]
x = train[FEATURE_COLUMNS].to_numpy(dtype=float)
mean = x.mean(axis=0)
scale = x.std(axis=0)
scale[scale == 0] = 1.0
fitted = LogisticRegression(solver="liblinear", C=0.5).fit((x - mean) / scale, train["clicked"].to_numpy())
table = pd.DataFrame({"feature": [*FEATURE_COLUMNS, INTERCEPT],
                      "weight": [*map(float, fitted.coef_[0]), float(fitted.intercept_[0])],
                      "mean": [*map(float, mean), 0.0], "scale": [*map(float, scale), 1.0]})
return table

### REGION score_interactions
weights = dict(zip(model["feature"], zip(model["weight"], model["mean"], model["scale"])))
logit = np.full(len(features), weights[INTERCEPT][0])
for name, (weight, mean, scale) in weights.items():
    if name != INTERCEPT:
        logit = logit + weight * (features[name].to_numpy(dtype=float) - mean) / scale
return 1.0 / (1.0 + np.exp(-logit))

### REGION recall_at_k
relevant = np.unique(np.asarray(list(relevant)))
if relevant.size == 0:
    return 0.0
top = np.unique(np.asarray(list(recommended)[:k]))
return float(np.isin(relevant, top).sum()) / float(relevant.size)

### REGION ndcg_at_k
gains = np.asarray(list(relevances), dtype=float)
discounts = 1.0 / np.log2(np.arange(2, min(k, gains.size) + 2))
best = np.sort(gains)[::-1][:k] @ discounts
return float(gains[:k] @ discounts / best) if best > 0 else 0.0

### REGION evaluate_retrieval
train = features[features["split"] == "train"]
test = features[(features["split"] == "test") & (features["clicked"] == 1)]
recalls = []
for user in sorted(set(test["user_id"])):
    history = set(train.loc[train["user_id"] == user, "item_id"])
    clicked = set(test.loc[test["user_id"] == user, "item_id"])
    recalls.append(recall_at_k(recommend(model, history, k), clicked, k))
return pd.DataFrame({"k": [int(k)], "users": [len(recalls)], "recall_at_k": [float(np.mean(recalls)) if recalls else 0.0]})

### REGION evaluate_ranking
from sklearn.metrics import roc_auc_score

test = features[features["split"] == "test"].copy()
test["score"] = score_interactions(model, test)
values = []
for _, events in test.groupby("user_id"):
    labels = events["clicked"].to_numpy()
    if labels.min() == 0 and labels.max() == 1:
        order = np.argsort(-events["score"].to_numpy(), kind="stable")
        values.append(ndcg_at_k(labels[order].tolist(), k))
auc = float(roc_auc_score(test["clicked"], test["score"])) if test["clicked"].nunique() == 2 else 0.5
return pd.DataFrame({"k": [int(k)], "users": [len(values)],
                     "ndcg_at_k": [float(np.mean(values)) if values else 0.0], "auc": [auc]})

### REGION contract_check
from pipelinekit import ContractViolation

contract = CONTRACTS[asset]
problems = []
for day in sorted(tables):
    try:
        contract.check(tables[day])
    except ContractViolation as violation:
        problems += [f"{day}: [{v.check}] {v.message}" for v in violation.violations]
return dg.AssetCheckResult(passed=len(problems) == 0, check_name="contract", asset_key=asset,
                           metadata={"violations": len(problems), "messages": dg.MetadataValue.json(problems[:50])})

### REGION storage_write
if self.storage == "s3":
    import boto3

    boto3.client("s3").upload_fileobj(io.BytesIO(payload), self.bucket, key)
    return
if self.storage != "local":
    raise ValueError(f"unknown storage {self.storage!r}")
path = Path(self.base_dir) / key
path.parent.mkdir(parents=True, exist_ok=True)
partial = path.with_name(path.name + ".partial")
partial.write_bytes(payload)
os.replace(partial, path)

### REGION storage_read
if self.storage == "s3":
    import boto3

    buffer = io.BytesIO()
    boto3.client("s3").download_fileobj(self.bucket, key, buffer)
    return buffer.getvalue()
if self.storage != "local":
    raise ValueError(f"unknown storage {self.storage!r}")
return (Path(self.base_dir) / key).read_bytes()

### REGION handle_output
import gzip

asset = "/".join(context.asset_key.path)
for day in context.asset_partition_keys:
    self._write(f"{self.prefix}/{asset}/{day}.pkl.gz", gzip.compress(pickle.dumps(obj[day])))

### REGION load_input
import gzip

asset = "/".join(context.asset_key.path)
return {day: pickle.loads(gzip.decompress(self._read(f"{self.prefix}/{asset}/{day}.pkl.gz")))
        for day in context.asset_partition_keys}

### REGION io_manager_for
choices = {
    "dev": lambda: StreamRecIOManager(storage="local", base_dir=data_dir(), prefix="m11"),
    "prod": lambda: StreamRecIOManager(storage="s3", bucket=os.environ.get("STREAMREC_S3_BUCKET", "streamrec-m11"),
                                       prefix="m11"),
}
if deployment not in choices:
    raise ValueError(f"unknown deployment {deployment!r}: choose among {sorted(choices)}")
return choices[deployment]()

### REGION column_stats
numeric = table.select_dtypes(include="number")
summary = numeric.agg(["mean", "min", "max"]).astype(float)
nulls = numeric.isna().sum()
return {str(column): {"mean": float(summary.loc["mean", column]), "min": float(summary.loc["min", column]),
                      "max": float(summary.loc["max", column]), "nulls": int(nulls[column])}
        for column in numeric.columns}

### REGION log_training_run
import json

from mlflow.entities import Metric, Param, RunTag

client = self.client()
run_id = client.create_run(self.experiment_id(), run_name=f"{model}-{day}").info.run_id
client.log_batch(run_id, metrics=[Metric("rows", float(len(table)), 0, 0)],
                 params=[Param(str(k), str(v)) for k, v in params.items()],
                 tags=[RunTag("model", model), RunTag("partition", day)])
client.log_text(run_id, table.to_csv(index=False), f"model/{model}_model.csv")
client.log_text(run_id, json.dumps(params), "model/params.json")
client.set_terminated(run_id, status="FINISHED")
return run_id

### REGION training_retry
TRAINING_RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL)
