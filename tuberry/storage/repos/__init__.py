"""Repositories: queries and changes of one aggregate each. They never commit; the use case does."""

from tuberry.storage.repos.accounts import AccountRepo
from tuberry.storage.repos.audit import AuditRepo
from tuberry.storage.repos.bots import BotRepo
from tuberry.storage.repos.dialogs import DialogRepo
from tuberry.storage.repos.messages import MessageRepo
from tuberry.storage.repos.workspaces import WorkspaceRepo

__all__ = ["AccountRepo", "AuditRepo", "BotRepo", "DialogRepo", "MessageRepo", "WorkspaceRepo"]
