"""The tables bench/people.py draws from: per country first names (with nickname forms),
surnames with a skewed frequency, company name parts and legal forms, role mailboxes,
free-mail domains and phone number shapes. Kept apart from the generator so each file reads
on its own."""

import re


def _table(text: str) -> dict[str, list[str]]:
    """'NO: a,b SE: c,d' (wrapped anywhere after a comma) → {'NO': ['a', 'b'], 'SE': [...]}."""
    parts = re.split(r"\b([A-Z]{2}):", " ".join(text.split()))
    return {cc: [w.strip() for w in body.split(",") if w.strip()]
            for cc, body in zip(parts[1::2], parts[2::2])}


COUNTRIES = {"NO": 28, "SE": 18, "DK": 14, "FI": 10, "DE": 12, "GB": 9, "US": 9}
FIRST = _table("""
NO: Lars,Ola,Kari,Ingrid,Anne,Per,Jan,Bjørn,Ole,Hans,Knut,Arne,Thomas,Marit,Hilde,Silje,Erik,
Geir,Tor,Terje,Morten,Kjetil,Rune,Kristian,Marius,Martin,Jonas,Håkon,Øystein,Ørjan,Ingvild,
Solveig,Åse,Liv,Randi,Tone,Hege,Kristin,Siri,Line,Nina,Camilla,Ida,Sigrid,Astrid,Eirik,Magnus,
Sondre,Jørgen,Ståle,Bård,Gro,Tove,Synnøve,Anne-Marie,Michael,Robert,Kristina
SE: Lars,Anders,Johan,Karl,Erik,Per,Mikael,Peter,Hans,Stefan,Magnus,Fredrik,Jonas,Daniel,Niklas,
Björn,Göran,Åsa,Kristina,Maria,Anna,Karin,Eva,Lena,Ingrid,Sofia,Emma,Linnea,Maja,Elin,Ulrika,
Malin,Jenny,Hanna,Sara,Ebba,Gunnar,Oskar,Måns,Sören,Thomas
DK: Jens,Niels,Søren,Lars,Hans,Henrik,Mads,Rasmus,Anders,Morten,Jens Peter,Nikolaj,Frederik,
Christian,Michael,Thomas,Peter,Martin,Kasper,Jesper,Mette,Anne,Anne-Marie,Hanne,Lene,Pia,
Susanne,Camilla,Louise,Freja,Ida,Sofie,Karen,Birgitte,Dorthe,Bodil,Jørgen,Kirsten,Trine,Maja
FI: Juha,Mikko,Timo,Jari,Kari,Antti,Pekka,Markku,Matti,Jukka,Ville,Janne,Sami,Heikki,Tuomas,
Olli,Tiina,Päivi,Anne,Sari,Minna,Johanna,Leena,Satu,Riitta,Marja,Kaisa,Hanna,Aino,Elina,Laura,
Jenni,Sanna,Jyrki
DE: Thomas,Michael,Andreas,Stefan,Klaus,Jürgen,Wolfgang,Uwe,Frank,Markus,Christian,Tobias,
Matthias,Johannes,Hans,Peter,Jörg,Dieter,Günter,Sabine,Petra,Claudia,Monika,Susanne,Andrea,
Katrin,Julia,Anna,Lena,Ursula,Birgit,Stefanie,Björn,Jens
GB: James,John,Robert,Michael,William,David,Richard,Thomas,Christopher,Daniel,Matthew,Jonathan,
Andrew,Mark,Paul,Oliver,Harry,George,Sarah,Elizabeth,Katherine,Margaret,Emma,Sophie,Charlotte,
Emily,Lucy,Hannah,Rebecca,Claire,Helen,Rachel
US: James,Robert,John,Michael,William,David,Richard,Joseph,Thomas,Christopher,Daniel,Matthew,
Jonathan,Mary,Patricia,Jennifer,Linda,Elizabeth,Barbara,Susan,Jessica,Sarah,Karen,Katherine,
Margaret,Emily,Ashley,Amanda,Melissa,Michelle,Andrew""")
NICKNAMES = ("Robert/Bob/Rob,William/Bill/Will,Katherine/Kate/Katie,Elizabeth/Liz/Beth,"
             "Michael/Mike,Thomas/Tom,Jonathan/Jon,James/Jim/Jimmy,Richard/Dick/Rick,"
             "Margaret/Peggy/Maggie,Lars/Lasse,Hans/Hasse,Kristina/Stina,Nikolaj/Nicolai/Niklas,"
             "Jens Peter/Jens-Peter/J.P.,Anne-Marie/Anne Marie,Daniel/Dan,Christopher/Chris,"
             "Matthew/Matt,Andrew/Andy,Jennifer/Jenny/Jen,Frederik/Frede,Johannes/Hannes,"
             "Joseph/Joe,Susan/Sue,Patricia/Pat/Trish,Rasmus/Rasse")
NICK = {form: tuple(g.split("/")) for g in NICKNAMES.split(",") for form in g.split("/")}
COMMON = _table("""
NO: 18,Hansen,Johansen,Olsen,Larsen,Andersen,Pedersen,Nilsen,Kristiansen,Jensen,Karlsen,Johnsen,
Pettersen,Eriksen,Berg,Haugen,Hagen
SE: 15,Andersson,Johansson,Karlsson,Nilsson,Eriksson,Larsson,Olsson,Persson,Svensson,Gustafsson,
Pettersson,Jonsson
DK: 30,Nielsen,Jensen,Hansen,Pedersen,Andersen,Christensen,Larsen,Sørensen,Rasmussen,Jørgensen,
Petersen,Madsen,Kristensen,Møller
FI: 8,Korhonen,Virtanen,Mäkinen,Nieminen,Mäkelä,Hämäläinen,Laine,Heikkinen,Koskinen,Järvinen,
Lehtonen
DE: 10,Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Schäfer,Koch,
Bauer,Richter
GB: 12,Smith,Jones,Williams,Taylor,Brown,Davies,Evans,Wilson,Thomas,Johnson,Roberts,Walker,
Wright
US: 10,Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Rodriguez,Martinez,Wilson,Anderson,
Taylor""")  # first: the percentage of people who have one of these surnames
HEADS = _table("""
NO: Rønn,Sæt,Bjørk,Fjell,Hau,Stor,Vik,Bø,Strøm,Dal,Holm,Øver,Sol,Nord,Aas,Tveit,Kvam,Mo,Ås,
Brå,Grø,Skog,Lyng,Fos,Hov,Løv,Myr
SE: Å,Berg,Lind,Sjö,Ek,Hög,Björk,Fors,Strand,Sund,Ny,Holm,Löv,Gran,Öst,Väst,Ahl,Dahl,Ström,
Kvarn,Lund
DK: Møl,Bech,Dal,Lund,Kjær,Skov,Holm,Bøg,Fog,Vest,Øster,Grøn,Ny,Dam,Thom,Bjerre,Hav
FI: Lah,Mäki,Järv,Kos,Salo,Häm,Laak,Virta,Ranta,Kallio,Niemi,Lehto,Tuomi,Pelto,Hiet,Kivi,
Metsä,Ylä,Sär,Paa
DE: Grün,Schön,Wald,Berg,Lin,Stein,Hof,Kör,Weiß,Groß,Bäck,Brück,Rosen,Fuchs,Eich,Haß,Mühl,
Kling,Sonn,Schwarz
GB: Ash,Black,Brad,Craw,Fair,Hol,Lang,Mar,Pem,Ruther,Stan,Thorn,Whit,Wood,Kings,Brom,Hart,Ather,
Red,Gold""")
ENDS = _table("""
NO: li,her,ås,land,dal,vik,stad,heim,nes,rud,bakken,haug,by,seth,sæter,gård,øy,eng,lund,strand,
tun,set,mo
SE: berg,ström,qvist,gren,lund,holm,bäck,dahl,sjö,man,blad,ling,vall,stedt,näs,löf
DK: gaard,sen,strup,holm,by,bæk,kjær,høj,mose,rup,borg,lund,dal,toft
FI: nen,lainen,maa,lä,la,koski,järvi,niemi,salo,aho,vaara,inen
DE: wald,berger,mann,ner,feld,hauer,stein,bach,hoff,er,dorf,meier,inger,brück,heim
GB: ford,ley,ton,worth,field,wood,by,shaw,ham,well,ridge,more,combe,wick""")
HEADS["US"], ENDS["US"] = HEADS["GB"], ENDS["GB"]
BRANDS = _table("""
NO: Nordlys,Fjordkraft,Havbris,Polarlys,Vestkyst,Fjellsikt,Bølgen,Solstråle,Nordkapp,Midnattsol,
Trollfjord,Lysglimt,Kystlinje,Fonn
SE: Norrsken,Skogsglänta,Fjällvind,Östersjö,Vågbrytare,Solhem,Älvdal,Granit
DK: Havblik,Kystlys,Bølgeslag,Grønkløver,Solsikke,Vestenvind,Fyrtårn,Klitten
FI: Metsä,Revontuli,Järvi,Kuusi,Tähti,Sampo,Aalto,Pohjola,Lumi
DE: Nordwind,Sonnenschein,Alpenblick,Rheintal,Edelstahl,Hansa,Lichtblick
GB: Acme,Albion,Thames,Pennine,Crown,Highland,Cornerstone,Northgate
US: Contoso,Acme,Pioneer,Liberty,Summit,Evergreen,Keystone,Frontier,Redwood""")
TRADES = _table("""
NO: Bygg,Elektro,Transport,Maskin,Regnskap,Eiendom,Fisk,Data,Rør,Marine
SE: Bygg,El,Transport,Måleri,Fastigheter,Data,Verkstad  DK: Byg,El,Transport,Tømrer,VVS,Revision
FI: Rakennus,Kuljetus,Sähkö,Metsä,Konepaja,Data
DE: Maschinenbau,Bau,Elektrotechnik,Logistik,Immobilien,Software,Metallbau
GB: Widgets,Logistics,Consulting,Engineering,Software,Holdings,Supplies""")
TRADES["US"] = TRADES["GB"]
ROLES = _table("""NO: post,firmapost,info,kontakt,salg SE: info,kontakt DK: info,kontakt,salg,mail
FI: info,office DE: info,office,kontakt,mail GB: info,sales,office,mail US: info,sales,office""")
FREE = _table("""NO: gmail.com,hotmail.com,online.no,outlook.com SE: gmail.com,hotmail.com,telia.com
DK: gmail.com,hotmail.com,mail.dk FI: gmail.com,hotmail.com,outlook.com
DE: gmail.com,web.de,gmx.de,t-online.de GB: gmail.com,hotmail.co.uk,outlook.com
US: gmail.com,yahoo.com,outlook.com,aol.com""")
FAMILY = {"NO": "& Sønn", "SE": "& Söner", "DK": "& Søn", "FI": "& Pojat", "DE": "& Söhne",
          "GB": "& Sons", "US": "& Sons"}
SUFFIXES = {"NO": {"AS": 90, "ASA": 10}, "SE": {"AB": 100}, "DK": {"A/S": 55, "ApS": 45},
            "FI": {"Oy": 70, "Oy Ab": 25, "Oyj": 5}, "GB": {"Ltd": 75, "Limited": 15, "plc": 10},
            "DE": {"GmbH": 70, "AG": 10, "GmbH & Co. KG": 20},
            "US": {"Inc.": 55, "LLC": 30, "Corp.": 15}}
SUFFIX_ALT = {"AS": "A/S,A.S.,,as", "ASA": "AS,,asa", "AB": "Aktiebolag,,ab", "ApS": "Aps,APS,",
              "A/S": "AS,A.S.,,a/s", "Oy": "OY,Oy Ab,", "Oy Ab": "Oy,Ab,", "Oyj": "Oy,",
              "GmbH": ",Gmbh,GMBH,G.m.b.H.", "AG": ",A.G.", "GmbH & Co. KG": "GmbH & Co KG,GmbH,",
              "Ltd": "Limited,Ltd.,LTD,", "Limited": "Ltd,Ltd.,", "plc": "PLC,Plc,",
              "Inc.": "Inc,Incorporated,,INC", "LLC": "L.L.C.,,llc", "Corp.": "Corporation,Corp,"}
TLD = {"NO": "no", "SE": "se", "DK": "dk", "FI": "fi", "DE": "de", "GB": "co.uk", "US": "com"}
PATTERNS = {"first.last": 50, "flast": 18, "firstl": 8, "first": 8, "f.last": 16}
US_AREAS = "212%######,646%######,415%######,312%######,617%######,206%######,512%######"
PHONES = {  # national significant numbers (fixed line, mobile); # any digit, % a digit 2-9
    "NO": ("22######,23######,55######,73######,51######,38######,67######", "4#######,9#######"),
    "SE": ("8%######,8%#####,31%#####,40%#####,18%#####",
           "70#######,72#######,73#######,76#######,79#######"),
    "DK": ("33######,35######,36######,38######,39######,86######,98######",
           "2#######,30######,31######,40######,42######,50######,51######,60######,61######"),
    "FI": ("9%######,9%#####,2%######,3%######", "40#######,41#######,44#######,50#######"),
    "DE": ("30%######,30%#######,89%######,40%######,69%######,221%######,211%#####",
           "151########,152########,160#######,170#######,171########,176########,179#######"),
    "GB": ("207#######,203#######,161#######,131#######",
           "74########,75########,77########,78########,79########"),
    "US": (US_AREAS, US_AREAS)}
STYLES = {"nat": 30, "intl": 22, "e164": 10, "00": 6, "compact": 12, "dash": 8, "special": 12}
VARIATIONS = {"typo": 14, "nickname": 8, "swap": 4, "initial": 5, "fold": 8, "mojibake": 4,
              "suffix": 10, "case": 4, "email": 12, "phone": 10, "mobile": 5, "country": 4}
NAME_VARIATIONS = {"typo", "nickname", "swap", "initial", "fold", "mojibake"}
SIZES, SIZE_WEIGHTS = ((1, 1), (2, 2), (3, 3), (4, 6), (7, 12), (13, 40)), (55, 20, 9, 7, 5.5, 3.5)
CATEGORIES = ("switchboard", "role_mailbox", "name_twin", "same_surname_colleague")
FOLDS = {"ø": ("o", "oe"), "å": ("a", "aa"), "æ": ("ae", "ae"), "ä": ("a", "ae"),
         "ö": ("o", "oe"), "ü": ("u", "ue"), "ß": ("ss", "ss")}
SIMPLE, DIGRAPH = (str.maketrans({**{k: v[n] for k, v in FOLDS.items()}, **{
    k.upper(): v[n].capitalize() for k, v in FOLDS.items() if k != "ß"}}) for n in (0, 1))
