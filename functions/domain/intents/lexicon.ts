/**
 * The rules of the reply classifier: Dutch and English phrases per intent, matched on the normalised words
 * (./normalise.ts: lower case, no diacritics or punctuation, typos corrected to the keywords below). Pure data.
 *
 * A rule is `strong` when its phrase alone says what the reply means ("stop met sms'en", "overleden",
 * "schuldsanering"); the safety intents (opt-outs, vulnerability, debt help, bankruptcy) are decided by their
 * strong rules whatever the trained model says, because missing one of those harms the debtor while a false alarm
 * only costs an agent a minute. Every rule is also a feature of the trained model (./model.ts), which weighs the
 * rules together with the words themselves.
 */
import type { Intent } from '../vocabulary.js';

export interface Rule {
  intent: Intent;
  re: RegExp;
  strong: boolean;
}

const S = (intent: Intent, ...res: RegExp[]): Rule[] => res.map((re) => ({ intent, re, strong: true }));
const W = (intent: Intent, ...res: RegExp[]): Rule[] => res.map((re) => ({ intent, re, strong: false }));

/** Words for the channels a debtor can opt out of (the reply's own channel when none is named). */
const MSG = '(sms|smsen|smsjes|smsje|smsjes|gesmst|berichten|berichtjes|bericht|appen|appjes|appje|whatsapp|whatsappen|whatsapps|mailen|mails|mail|email|emails|texts|text|texting|messages|message|messaging|sending|sturen|bellen|telefoontjes|calls|calling|contact|contacting|emailing|whatsapping)';

export const RULES: readonly Rule[] = [
  // ---- opt-out of everything (STOPALL, DESIGN §5 rule 10; issue 8 item 6)
  ...S(
    'opt_out_all',
    /^(stop ?all|stop alles|alles stoppen|stop everything|unsubscribe (from )?(all|everything)|afmelden (voor )?alles)( \w+)?$/,
    /\b(stop|stoppen|hou op|houd op) (met )?(alles|alle (berichten|kanalen|contact)|everything|all (contact|communication|messages))\b/,
    /\b(op|via) geen (enkele manier|enkel kanaal)\b/,
    /\bgeen (enkel )?contact meer\b/,
    /\b(no|not any) contact at all\b/,
    /\b(in any way|by any (channel|means)|at all anymore)\b/,
    /\bniet bellen niet mailen\b|\bgeen sms geen mail\b|\bno calls no texts\b|\bgeen sms mail of telefoon\b/,
    /\bhelemaal (niks|niets) meer\b.*\b(ontvangen|horen)\b/,
  ),
  // ---- opt-out of this channel (or the channels named)
  ...S(
    'opt_out',
    /^(stop|stopp|stoppen|unsubscribe|cancel|end|quit|afmelden|uitschrijven|optout|opt out|revoke)( (stop|alstublieft|please|graag|nu|now|dan))*$/,
    /^stop\b/,
    new RegExp(`\\b(stop|stoppen|hou op|houd op|ophouden) (nou |nu |eens )?(met )?(het |die |dat |de |deze |al die |jullie )?(\\w+ )?${MSG}\\b`),
    new RegExp(`\\b${MSG} (stoppen|stop|ophouden)\\b`),
    new RegExp(`\\bgeen ${MSG} meer\\b`),
    new RegExp(`\\b(niet|nooit) meer (\\w+ )?(\\w+ )?(${MSG}|gesmst|gebeld|benaderen|benaderd)\\b`),
    new RegExp(`\\bstuur (me|mij) geen ${MSG}\\b`),
    /\b(dont|never|stop) (ever )?(text|message|contact|call|email|sms|whatsapp|bother)(ing)? (me|us)\b/,
    /\bstop (texting|messaging|calling|emailing|contacting|whatsapping|sending)\b/,
    /\b(remove|delete) (my|this) (number|phone|details)\b/,
    /\b(haal|verwijder) (mijn|dit) (telefoon)?nummer\b/,
    /\bunsubscribe\b|\buitschrijven\b|\bafmelden\b|\bmeld (me|mij) af\b/,
    /\blaat (me|mij) (toch |nou |eens )?met rust\b|\bleave me alone\b/,
    /\bno more (texts|messages|calls|emails)\b/,
  ),
  // ---- vulnerability: bereavement, illness, crisis, distress
  ...S(
    'vulnerable',
    /\b(overleden|overleed|gestorven|sterfgeval|begrafenis|crematie|rouw|rouwen|weduwe|weduwnaar|verongelukt|omgekomen)\b/,
    /\b(passed away|died|death|funeral|bereaved|bereavement|widow|widowed|widower)\b/,
    /\b(ziek|zieke|ernstig ziek|ziekte|kanker|chemo|chemotherapie|bestraling|ziekenhuis|opgenomen|operatie|hartaanval|herseninfarct|beroerte|dementie|alzheimer|psychose|depressie|depressief|burnout|overspannen|psychiater|psycholoog|ggz|terminaal|palliatief|dialyse|gehandicapt|invalide|arbeidsongeschikt|verslaafd|verslaving|zwanger)\b/,
    /\b(hospital|cancer|chemo|chemotherapy|surgery|stroke|heart attack|dementia|alzheimers|psychosis|depression|depressed|mental health|disabled|disability|terminal|sick|seriously ill|very ill|am ill|been ill|addiction|addicted|pregnant|treatment)\b/,
    /\b(scheiding|gescheiden|dakloos|op straat|uit huis gezet|huisuitzetting|ontruiming|huiselijk geweld|mishandeld|mishandeling|vrouwenopvang|opvang|gevlucht|afgebrand|brand gehad|gevangenis|gedetineerd|mantelzorger|mantelzorg)\b/,
    /\b(divorce|divorced|separated|homeless|evicted|eviction|domestic (abuse|violence)|abusive|shelter|refuge|fleeing|fled|prison|jail|house fire|carer)\b/,
    /\b(zie het niet meer zitten|wil (er )?niet meer (zijn|leven)|zelfmoord|einde aan (mijn|het) leven|wanhopig|ten einde raad|radeloos|weet (het )?niet meer wat ik moet|weet niet (meer )?wat ik moet doen|weet het niet meer|huil|huilen|paniek|sta er alleen voor|kan (dit|het) (nu )?niet aan|kan niet meer slapen|slaap niet meer)\b/,
    /\bik kan (het |dit )?(echt )?niet meer\b(?! (betalen|bijbetalen|overmaken|missen|rondkomen|sparen|aflossen|opbrengen))/,
    /\b(cant cope|cant go on|cant take (it|this) anymore|want to die|kill myself|end it all|ending it all|desperate|end of my rope|dont know what to do|breakdown|overwhelmed|cant sleep|suicidal|suicide|struggling)\b/,
    /\b(lost|verloren) (my|mijn) (husband|wife|mother|father|mum|mom|dad|son|daughter|partner|child|man|vrouw|moeder|vader|zoon|dochter|kind)\b/,
  ),
  // ---- debt help, WSNP, protective administration
  ...S(
    'debt_help',
    /\b(schuldhulp\w*|schuldhulpverlening|schuldhulpverlener|schuldsanering|schuldregeling|schuldbemiddeling|wsnp|bewind|beschermingsbewind|bewindvoerder|bewindvoering|budgetbeheer|budgetcoach|moratorium|kredietbank|stadsbank|minnelijk traject|minnelijke regeling)\b/,
    /\bgemeente\b.*\bschulden\b|\bschulden\b.*\bgemeente\b|\bhelpt (mij|me) met (mijn )?schulden\b/,
    /\b(debt (help|advice|advisor|adviser|counsellor|counselor|counselling|management|relief|solution)|budget coach|under administration|my administrator|council|municipality)\b/,
  ),
  // ---- bankruptcy
  ...S('bankruptcy', /\b(failliet|faillissement|bankroet|curator|bankrupt|bankruptcy|insolvent|insolvency|trustee|going under)\b/),
  // ---- the rest: evidence the model weighs
  ...W(
    'opt_out',
    /\bstop\b/,
    /\b(wil|willen) (geen|niet meer) \w+\b/,
  ),
  ...W(
    'promise_to_pay',
    /\b(ik|i) (betaal|betaalt|maak|stort|will pay|will transfer|will send|will sort|ga|zal|regel)\b/,
    /\b(ga|zal|gaat) (het |dat |dit )?(\w+ )?(betalen|overmaken|storten|lukken)\b/,
    /\b(wordt|word|komt) (het |dat )?(\w+ )?(betaald|overgemaakt|eraan)\b/,
    /\b(betaal|maak) (ik|het|dat|dit)\b/,
    /\b(will|gonna|going to) (pay|transfer|send|sort)\b/,
    /\b(paying|pay|transfer) (it |this |you )?(today|tomorrow|now|on|by|next|this|after|end|in two|in 2)\b/,
    /\b(beloofd|promise|komt goed|staat (het|er) )\b/,
    /\bzo snel mogelijk\b|\basap\b/,
  ),
  ...W(
    'postpone',
    /\b(uitstel|respijt|opschorten|later betalen|iets later|wat later|meer tijd|extra tijd|geduld|even wachten|kan (het|de betaling) (\w+ )?wachten|kan (ik )?pas|pas (na|volgende|begin|eind|half|over|de)|niet eerder dan)\b/,
    /\b(postpone|extension|more time|pay later|delay|wait until|until next|until the|not until|only pay after|have until|a few weeks|another week)\b/,
    /\b(over|in) (een|1|2|twee|drie|3|a|two|a few) (paar )?(weken|maand|maandje|weeks|month)\b/,
    /\bnu (even )?niet\b/,
  ),
  ...W(
    'already_paid',
    /\b(al|reeds|allang|al lang|gisteren|vanochtend|vanmorgen|gisteravond|vorige week|vorige maand|net) (\w+ )?(betaald|overgemaakt|voldaan|gestort|afgeschreven)\b/,
    /\b(heb|hebben|is|zijn) (het |dit |dat |alles )?(\w+ )?(betaald|overgemaakt|voldaan|gestort|afgeschreven)\b/,
    /\b(already|allready) (paid|payed|sorted|done)\b|\b(paid|payed) (it )?(already|allready|yesterday|last|this|via|on)\b/,
    /\bi (have )?(paid|payed)\b|\bhave paid\b|\bjust paid\b|\bpayment (has been|was) (made|sent)\b|\b(money|it) was transferred\b/,
    /\b(betaalbewijs|bankafschrift|proof of payment)\b/,
    /\bstaat al op\b|\bal betaald\b/,
  ),
  ...W(
    'arrangement',
    /\b(regeling|betalingsregeling|regelen|termijnen|termijn|afbetalen|afbetaling|gespreid|spreiden|maandelijks|per maand|per week|in (delen|stukjes|gedeeltes|kleine bedragen|(2|3|4|5|6|twee|drie|vier|vijf|zes) (keer|termijnen|maanden)))\b/,
    /\b(payment plan|installments?|instalments?|in parts|monthly|per month|a month|spread|bit by bit|small amounts|arrangement|half now)\b/,
    /\b(elke|iedere) maand\b/,
  ),
  ...W(
    'cannot_pay',
    /\b(kan|kun|kunnen) (het |dit |dat )?(\w+ )?(niet|niks|nooit) (betalen|opbrengen|missen)\b/,
    /\b(geen geld|geen cent|niks over|niets over|blut|platzak|krap|niet rond|kom niet rond|geen inkomen|werkloos|ontslagen|baan kwijt|werk kwijt|uitkering|bijstand|lukt (me |het )?niet)\b/,
    /\b(cant|unable to|not able to) (pay|afford)\b|\b(no money|broke|lost my job|unemployed|out of work|benefits|no income|dont have the money|nothing left)\b/,
  ),
  ...W(
    'dispute',
    /\b(klopt niet|klopt niks|klopt geen|onterecht|betwist|betwisten|bezwaar|nooit besteld|niet besteld|nooit ontvangen|nooit gehad|teruggestuurd|geretourneerd|retour|opgezegd|beeindigd|dubbel|oneens|niet mee eens|niet akkoord|fout|verkeerd bedrag|te hoog|kapot)\b/,
    /\b(wrong|incorrect|not correct|not right|never ordered|never received|returned|cancelled|canceled|dispute|disagree|dont agree|overcharged|charged twice|double)\b/,
  ),
  ...W(
    'not_my_debt',
    /\b(verkeerde? (persoon|nummer|adres|mens)|ken (ik )?(dit|deze|die|dat) (bedrijf|persoon|winkel|naam)( \w+)? niet|nooit klant|geen klant|niet (van mij|mijn (schuld|rekening))|dat ben ik niet|heet (niet zo|anders)|iemand anders|mijn gegevens gebruikt|nooit van deze)\b/,
    /\b(wrong (person|number)|not (me|mine|my (debt|bill|account))|isnt mine|dont know (who|anyone|this)|never been a customer|never had an account|used my identity|identity (theft|fraud)|just got this number)\b/,
  ),
  ...W(
    'who_are_you',
    /\b(wie (ben|bent|zijn|is) (u|jij|je|jullie|dit|dat)|wie is dit|wie zijn jullie|wie jullie zijn|van wie|namens wie|welk (bedrijf|incassobureau)|wat is dit voor|wat voor (bedrijf|bericht)|is dit (echt|nep|spam|phishing|oplichting|betrouwbaar|een nepbericht)|nepbericht|oplichting|oplichters|phishing|bestaan jullie|vertrouw (dit|het) niet|hoe komt u aan|hoe komen jullie aan mijn)\b/,
    /\b(who (are|is) (you|this)|who sent|what company|is this (real|legit|a scam|spam|genuine|fake)|scam|spam|how did you get my|never heard of you|real debt collector|collecting for)\b/,
  ),
  ...W(
    'call_me',
    /\b(bel (me|mij|maar|even|terug)|terugbellen|me (even )?bellen|mij (even )?bellen|telefonisch|gebeld worden|liever bellen|medewerker spreken|met iemand spreken|met een mens)\b/,
    /\b(call me|give me a call|ring me|phone me|call back|talk on the phone|speak to (a|someone)|talk to (someone|a person)|someone call)\b/,
  ),
  ...W(
    'amount_question',
    /\b(waar is (dit|dat|het) (bedrag )?voor|waarvoor|hoe (komen|komt|kom) (jullie|u|je) (aan|op)|waarom (is het|zo) (hoog|veel|duur)|hoeveel|welk bedrag|totaalbedrag|incassokosten|extra kosten|die kosten|specificatie|opgebouwd|berekend|rente)\b/,
    /\b(what is (this|the) (amount|charge)|how much|why is it so|breakdown|extra fees|these fees|these costs|calculate|where does this amount|interest|total)\b/,
  ),
];

/**
 * The words typos are corrected to (normalise.ts): the keywords of the rules above, plus a few common words the
 * rules are written around.
 */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'stop', 'stoppen', 'afmelden', 'uitschrijven', 'unsubscribe', 'berichten', 'whatsapp', 'telefoontjes', 'messages', 'messaging', 'texting',
  'overleden', 'gestorven', 'begrafenis', 'crematie', 'verongelukt', 'omgekomen', 'ziekenhuis', 'kanker', 'chemotherapie', 'operatie',
  'hartaanval', 'beroerte', 'dementie', 'alzheimer', 'psychose', 'depressie', 'depressief', 'burnout', 'overspannen', 'psychiater',
  'terminaal', 'palliatief', 'gehandicapt', 'arbeidsongeschikt', 'verslaafd', 'verslaving', 'zwanger', 'scheiding', 'gescheiden',
  'dakloos', 'huisuitzetting', 'ontruiming', 'mishandeld', 'mishandeling', 'vrouwenopvang', 'gevangenis', 'gedetineerd', 'mantelzorger',
  'zelfmoord', 'wanhopig', 'radeloos', 'paniek', 'passed', 'funeral', 'bereavement', 'hospital', 'cancer', 'surgery', 'dementia',
  'depression', 'depressed', 'disabled', 'terminal', 'homeless', 'evicted', 'eviction', 'divorce', 'suicidal', 'desperate', 'struggling',
  'overwhelmed', 'schuldhulp', 'schuldhulpverlening', 'schuldhulpverlener', 'schuldsanering', 'schuldregeling', 'bewindvoerder',
  'beschermingsbewind', 'budgetbeheer', 'budgetcoach', 'moratorium', 'kredietbank', 'failliet', 'faillissement', 'bankroet', 'curator',
  'bankrupt', 'bankruptcy', 'insolvent', 'betalen', 'betaald', 'overgemaakt', 'voldaan', 'afgeschreven', 'betalingsregeling', 'regeling',
  'termijnen', 'afbetalen', 'afbetaling', 'gespreid', 'spreiden', 'maandelijks', 'installments', 'instalments', 'arrangement', 'already',
  'uitstel', 'respijt', 'opschorten', 'postpone', 'extension', 'werkloos', 'ontslagen', 'uitkering', 'bijstand', 'unemployed', 'afford',
  'onterecht', 'betwist', 'bezwaar', 'besteld', 'ontvangen', 'teruggestuurd', 'geretourneerd', 'opgezegd', 'incorrect', 'overcharged',
  'disagree', 'dispute', 'verkeerde', 'verkeerd', 'identity', 'customer', 'oplichting', 'phishing', 'nepbericht', 'incassobureau',
  'terugbellen', 'telefonisch', 'medewerker', 'incassokosten', 'specificatie', 'totaalbedrag', 'opgebouwd', 'berekend', 'breakdown',
  'vrijdag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'zaterdag', 'zondag', 'volgende', 'friday', 'monday', 'tuesday', 'wednesday',
  'thursday', 'saturday', 'sunday', 'tomorrow', 'vandaag', 'overmorgen',
]);
