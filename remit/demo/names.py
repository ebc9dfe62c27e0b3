"""Word lists for believable Scandinavian customer names (generated, never downloaded)."""

STEMS = [
    "Fjord", "Nordvik", "Bergli", "Solstrand", "Havblikk", "Granli", "Eikeland", "Storfjell",
    "Lysaker", "Vestby", "Kvitfjell", "Brattli", "Nordre", "Sjøvik", "Elvebakken", "Furulund",
    "Hegge", "Fossum", "Lindholm", "Skogheim", "Østbye", "Dalsnes", "Heimdal", "Tindvik",
    "Aasgaard", "Bakkeli", "Kystlys", "Midtun", "Ravnsborg", "Sandvold", "Tollef", "Vikhammer",
    "Amager", "Birkholm", "Egeskov", "Fyrtårn", "Grenå", "Hvidsten", "Kronborg", "Lyngby",
    "Møllebro", "Nørreport", "Vesterhav", "Åbo", "Björkdal", "Ekholm", "Lindqvist", "Sjöberg",
]
TRADES = [
    "Bygg", "Elektro", "Rør", "Transport", "Maskin", "Handel", "Mat", "Bakeri", "Regnskap",
    "Eiendom", "Tre", "Stål", "Marine", "Fisk", "Energi", "Data", "Reklame", "Helse", "Apotek",
    "Hotell", "Catering", "Verksted", "Logistikk", "Arkitekter", "Konsult", "Møbler", "Sport",
]
SUFFIX = {"NO": "AS", "DK": "ApS", "SE": "AB", "DE": "GmbH", "FI": "Oy", "NL": "B.V."}
PUBLIC = ["kommune", "fylkeskommune", "helseforetak", "universitet"]
FIRST_NAMES = ["Ingrid", "Ola", "Kari", "Lars", "Sofie", "Mads", "Freja", "Erik", "Astrid",
               "Jonas", "Maja", "Nils", "Sigrid", "Anders", "Liv", "Henrik", "Emma", "Oskar"]
LAST_NAMES = ["Berg", "Hansen", "Johansen", "Nielsen", "Larsen", "Andersson", "Lund", "Dahl",
              "Holm", "Strand", "Eriksen", "Sørensen", "Lindberg", "Bakken", "Moen", "Vik"]
