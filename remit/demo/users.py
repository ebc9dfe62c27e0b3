"""The demo logins, one per role. Printed by ``remit up``; only ever created by the demo."""

from remit.core import roles

DEMO_PASSWORD = "remit-demo"

# username, role, legal entity codes ("*" = all)
DEMO_USERS = [
    ("admin", roles.ADMINISTRATOR, "*"),
    ("credit", roles.CREDIT_MANAGER, "*"),
    ("colmgr", roles.COLLECTIONS_MANAGER, "NO01,DK01"),
    ("agent", roles.COLLECTIONS_AGENT, "NO01"),
    ("clerk", roles.AR_CLERK, "NO01,DK01"),
    ("salesmgr", roles.SALES_MANAGER, "NO01,DK01,SE01"),
    ("rep", roles.SALES_REP, "NO01"),
]
