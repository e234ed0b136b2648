"""Repositories: queries and changes of one aggregate each. They never commit; the use case does."""

from tuberry.storage.repos.accounts import AccountRepo
from tuberry.storage.repos.admin import AdminRepo
from tuberry.storage.repos.audit import AuditRepo
from tuberry.storage.repos.bots import BotRepo
from tuberry.storage.repos.dialogs import DialogRepo
from tuberry.storage.repos.leases import LeaseRepo
from tuberry.storage.repos.messages import MessageRepo
from tuberry.storage.repos.quick_replies import QuickReplyRepo
from tuberry.storage.repos.stats import StatsRepo
from tuberry.storage.repos.topic_status import TopicStatusRepo
from tuberry.storage.repos.updates import UpdateInboxRepo
from tuberry.storage.repos.workspaces import WorkspaceRepo

__all__ = [
    "AccountRepo",
    "AdminRepo",
    "AuditRepo",
    "BotRepo",
    "DialogRepo",
    "LeaseRepo",
    "MessageRepo",
    "QuickReplyRepo",
    "StatsRepo",
    "TopicStatusRepo",
    "UpdateInboxRepo",
    "WorkspaceRepo",
]
