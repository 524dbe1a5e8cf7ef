"""StreamRec's daily training pipeline, the business logic only (milestone M11, exercise 27.30).

Data, validation, features, models, metrics, contracts, registration decisions and storage, as
plain functions on pandas tables. No module of this package imports an orchestrator: the Airflow
DAG (``dags/``), the Prefect flow (``streamrec_prefect``) and the Dagster assets
(``streamrec_dagster``) are thin wrappers around it.
"""
