from remit.core.exceptions import InvalidInput, RuleViolation


class UnbalancedEntry(InvalidInput):
    default_code = "unbalanced_entry"


class EmptyEntry(InvalidInput):
    default_code = "empty_entry"


class PostedEntryImmutable(RuleViolation):
    default_code = "posted_entry_immutable"


class AccountNotPostable(InvalidInput):
    default_code = "account_not_postable"


class AlreadyReversed(RuleViolation):
    default_code = "already_reversed"


class NotReversible(RuleViolation):
    default_code = "not_reversible"
