# A second correct solution: model builders in a table and one task fanned out with .map() (the
# numpy arrays wrapped in unmapped, or Prefect would map over their rows), an explicit thread pool
# of three workers, accuracy computed by hand, and ties broken by name.
### REGION train_model
from lightgbm import LGBMClassifier
from sklearn.ensemble import RandomForestClassifier
from xgboost import XGBClassifier

BUILDERS = {
    "random_forest": lambda seed: RandomForestClassifier(n_estimators=40, max_depth=8, random_state=seed, n_jobs=1),
    "xgboost": lambda seed: XGBClassifier(n_estimators=40, learning_rate=0.2, random_state=seed, n_jobs=1),
    "lightgbm": lambda seed: LGBMClassifier(n_estimators=40, num_leaves=15, random_state=seed, n_jobs=1,
                                            verbose=-1),
}


@task(name="train_candidate", retries=1, retry_delay_seconds=0)
def fit_candidate(name: str, X_train, y_train, seed: int):
    return BUILDERS[name](seed).fit(X_train, y_train)
### REGION train_and_select
from prefect import unmapped
from prefect.task_runners import ThreadPoolTaskRunner


@flow(name="train-and-select", task_runner=ThreadPoolTaskRunner(max_workers=3))
def train_and_select(seed: int = 42) -> dict:
    X_train, X_test, y_train, y_test = load_data(seed)
    futures = fit_candidate.map(MODEL_NAMES, unmapped(X_train), unmapped(y_train), unmapped(seed))
    models = dict(zip(MODEL_NAMES, futures.result()))
    accuracies = {name: float((model.predict(X_test) == y_test).sum()) / len(y_test) for name, model in models.items()}
    ranked = sorted(accuracies, key=lambda name: (-accuracies[name], name))
    return {"accuracies": accuracies, "best": ranked[0], "models": models}
