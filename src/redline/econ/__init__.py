"""The economic index: conversations -> O*NET tasks and interaction modes -> private aggregates.

`index_conversations` is the whole job; `build_index` and `write_index` are its two
halves. Task mapping goes through a `TaskMapper`: `LexicalRetriever` here (offline),
or the LLM classifier in `redline.evals.econ_classifier`. `load_release`,
`release_shares` and `compare` read Anthropic Economic Index releases and set an
index against them.
"""

from redline.econ._api import index_conversations
from redline.econ._backend import (
    ALL_MODES,
    AUGMENTATION_MODES,
    AUTOMATION_MODES,
    INTERACTION_MODES,
    MODE_DESCRIPTIONS,
    Assignment,
    Mode,
    PreparedConversation,
    TaskMapper,
)
from redline.econ._compare import (
    Comparison,
    ComparisonRow,
    compare,
    compare_tables,
    load_index,
    load_shares,
)
from redline.econ._errors import IndexFileError, OnetError, ReleaseError
from redline.econ._formats import (
    Conversation,
    InputIssue,
    Turn,
    read_conversations,
)
from redline.econ._models import (
    LEVELS,
    EconIndex,
    IndexOptions,
    Level,
    ShareRow,
    ShareTable,
)
from redline.econ._modes import classify_mode
from redline.econ._onet import (
    SOC_MAJOR_GROUPS,
    Occupation,
    OnetTaxonomy,
    Task,
    load_onet,
    major_group_code,
    minor_group_code,
    normalize_statement,
)
from redline.econ._output import write_index
from redline.econ._pii import PiiScrubber, ScrubResult, scrub_pii
from redline.econ._pipeline import ProgressSink, build_index
from redline.econ._release import (
    TASK_SHARE_FILES,
    Release,
    load_release,
    release_modes,
    release_shares,
)
from redline.econ._retriever import LexicalRetriever, RetrieverConfig, rank_occupations

__all__ = [
    "ALL_MODES",
    "AUGMENTATION_MODES",
    "AUTOMATION_MODES",
    "INTERACTION_MODES",
    "LEVELS",
    "MODE_DESCRIPTIONS",
    "SOC_MAJOR_GROUPS",
    "TASK_SHARE_FILES",
    "Assignment",
    "Comparison",
    "ComparisonRow",
    "Conversation",
    "EconIndex",
    "IndexFileError",
    "IndexOptions",
    "InputIssue",
    "LexicalRetriever",
    "Level",
    "Mode",
    "Occupation",
    "OnetError",
    "OnetTaxonomy",
    "PiiScrubber",
    "PreparedConversation",
    "ProgressSink",
    "Release",
    "ReleaseError",
    "RetrieverConfig",
    "ScrubResult",
    "ShareRow",
    "ShareTable",
    "Task",
    "TaskMapper",
    "Turn",
    "build_index",
    "classify_mode",
    "compare",
    "compare_tables",
    "index_conversations",
    "load_index",
    "load_onet",
    "load_release",
    "load_shares",
    "major_group_code",
    "minor_group_code",
    "normalize_statement",
    "rank_occupations",
    "read_conversations",
    "release_modes",
    "release_shares",
    "scrub_pii",
    "write_index",
]
