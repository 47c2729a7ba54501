"""The data subject's other rights and what an erasure does besides the databases: access export,
restriction, replay after a restore, the suppression list, recipients' webhooks, the register of requests,
and the care taken around every erasure (files, journal, suppression) in `care`."""
