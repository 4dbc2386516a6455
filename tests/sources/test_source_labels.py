"""The labels the site gives its own sources are stored in English and read
in the reader's language; a host's own words stay as written."""

from __future__ import annotations

from meetup.core import i18n
from meetup.sources.kinds import shown_label


def test_the_sites_labels_read_in_the_readers_language() -> None:
    with i18n.use("de"):
        assert shown_label("Shared by Alex") == "Geteilt von Alex"
        assert shown_label("Shared on WhatsApp") == "Auf WhatsApp geteilt"
        assert shown_label("Direct / unknown") == "Direkt / unbekannt"
        assert shown_label("Re-invited: Ana Díaz") == "Erneut eingeladen: Ana Díaz"
    with i18n.use("fr"):
        assert shown_label("Shared by email") == "Partagé par e-mail"
    with i18n.use("en"):
        assert shown_label("Shared by Alex") == "Shared by Alex"


def test_a_hosts_own_label_stays_as_written() -> None:
    with i18n.use("de"):
        assert shown_label("Flyer at Prufrock Coffee") == "Flyer at Prufrock Coffee"
        assert shown_label("50% off thread") == "50% off thread"
        assert shown_label(None) == ""
