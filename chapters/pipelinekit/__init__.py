"""pipelinekit: the companion package of the course's pipeline-orchestration chapters.

The chapters build these pieces one by one: a pipeline as a DAG of tasks, retries with
backoff, a dead-letter queue, atomic writes, and data contracts. The StreamRec data
generator (`pipelinekit.streamrec`) and the drawings (`pipelinekit.plotting`) are imported
on their own, so that `import pipelinekit` loads neither pandas, numpy nor matplotlib.
"""

from .contracts import ContractViolation, DataContract, Violation
from .dag import CycleError, PipelineDAG, PipelineTask, UnknownTaskError
from .dlq import DeadLetter, DeadLetterQueue, process_with_dlq
from .io import idempotent_write, partition_path
from .retry import RetryConfig

__all__ = [
    "PipelineTask",
    "PipelineDAG",
    "CycleError",
    "UnknownTaskError",
    "RetryConfig",
    "DeadLetter",
    "DeadLetterQueue",
    "process_with_dlq",
    "idempotent_write",
    "partition_path",
    "DataContract",
    "Violation",
    "ContractViolation",
]
