// The interface's words in Latvian and English. The exam content stays Latvian whatever is chosen here;
// only the frame around it (buttons, help, status) follows the candidate's choice.
import type { BilingualText } from '../src-shared/errors.ts';

export type UiLanguage = 'lv' | 'en';

export const TEXT = {
  appName: { lv: 'Valsts valodas prasmes pārbaude', en: 'State language proficiency test' },
  appNameCentralized: { lv: 'Valsts pārbaudes darbs', en: 'State examination' },
  appNameNeutral: { lv: 'Pārbaudījumu stacija', en: 'Exam station' },
  loading: { lv: 'Ielādē…', en: 'Loading…' },
  lockedTitle: { lv: 'Šis dators ir bloķēts', en: 'This computer is locked' },
  lockedText: {
    lv: 'Pārbaudījuma vadītājs to atbloķēs. Jūsu atbildes ir drošībā. Ja jums vajadzīga palīdzība, paceliet roku.',
    en: 'The invigilator will unlock it. Your answers are safe. If you need help, raise your hand.',
  },
  lockedReason: { lv: 'Iemesls: {reason}', en: 'Reason: {reason}' },
  roomMessageTitle: { lv: 'Ziņa no pārbaudījuma vadītāja', en: 'A message from the invigilator' },
  roomMessageClose: { lv: 'Labi, izlasīju', en: 'OK, I have read it' },
  // the invigilator's console on the hub
  consoleName: { lv: 'Telpas dators', en: 'Room computer' },
  consoleSignInTitle: { lv: 'Pārbaudījuma vadītāja pieteikšanās', en: 'Invigilator sign-in' },
  consoleRoomTitle: { lv: 'Telpa', en: 'The room' },
  signOut: { lv: 'Iziet', en: 'Sign out' },
  roomNone: { lv: 'Šim datoram nav telpas.', en: 'This computer has no room.' },
  seatsTitle: { lv: '{n} {n:kandidāta dators|kandidātu datori}', en: '{n} {n:seat|seats}' },
  seatsNone: { lv: 'Vēl nav pievienots neviens kandidāta dators.', en: 'No seat has been added yet.' },
  roomAllWell: { lv: 'Visi kandidātu datori ir sasniedzami, un viss ir nosūtīts.', en: 'Every seat can be reached and has sent everything.' },
  roomProblems: { lv: '{n} {n:datoram|datoriem} vajadzīga uzmanība (saraksta sākumā).', en: '{n} {n:seat needs|seats need} attention (at the top of the list).' },
  hideHealthy: { lv: 'Rādīt tikai datorus, kam vajadzīga uzmanība', en: 'Show only seats that need attention' },
  colSeat: { lv: 'Vieta', en: 'Seat' },
  colState: { lv: 'Stāvoklis', en: 'State' },
  colCandidate: { lv: 'Kandidāts', en: 'Candidate' },
  colPart: { lv: 'Daļa', en: 'Part' },
  colTimeLeft: { lv: 'Atlikušais laiks', en: 'Time left' },
  colBacklog: { lv: 'Vēl nav telpas datorā', en: 'Not yet at the room computer' },
  colVersion: { lv: 'Versija', en: 'Version' },
  colActions: { lv: 'Darbības', en: 'Actions' },
  presenceConnected: { lv: 'Savienots', en: 'Connected' },
  presenceLate: { lv: 'Kavējas (nav ziņu 6 s)', en: 'Late (silent 6 s)' },
  presenceMissing: { lv: 'Nav sakaru (15 s)', en: 'Missing (15 s)' },
  seatRevoked: { lv: 'Atvienots', en: 'Unpaired' },
  backlogNone: { lv: 'viss nosūtīts', en: 'everything sent' },
  backlogSome: { lv: '{n} {n:notikums|notikumi}, vecākais {s} s', en: '{n} {n:event|events}, oldest {s} s' },
  revokeSeat: { lv: 'Atvienot', en: 'Unpair' },
  cancel: { lv: 'Atcelt', en: 'Cancel' },
  revokeConfirm: { lv: 'Atvienot kandidāta datoru {seat}? Tas vairs nevarēs sazināties ar telpas datoru, līdz to pievienos no jauna.', en: 'Unpair seat {seat}? It can no longer reach the room computer until it is added again.' },
  moveTitle: { lv: 'Pārsēdināt kandidātu pie rezerves datora', en: 'Move a candidate to a spare seat' },
  moveWho: { lv: 'Kandidāts', en: 'Candidate' },
  moveWhoOption: { lv: '{candidate} (pie {seat})', en: '{candidate} (at {seat})' },
  moveTo: { lv: 'Uz brīvu kandidāta datoru', en: 'To a free seat' },
  moveReason: { lv: 'Iemesls', en: 'Reason' },
  moveDo: { lv: 'Pārsēdināt', en: 'Move' },
  moveList: { lv: 'Pārsēdināšanas', en: 'Moves' },
  moveLine: { lv: '{candidate}: no {from} uz {to}', en: '{candidate}: from {from} to {to}' },
  moveHandingOver: { lv: 'jaunais dators saņem darbu', en: 'the new seat is receiving the work' },
  moveApplied: { lv: 'darbs nodots, kandidāts var turpināt', en: 'work handed over, the candidate can go on' },
  moveRefused: { lv: 'jaunais dators darbu nepieņēma', en: 'the new seat could not take the work' },
  moveLate: {
    lv: 'Pēc pārsēdināšanas no {from} pienāca {n} {n:notikums|notikumi}: {n:tas ir saglabāts, bet netiek ņemts vērā kā kandidāta atbilde|tie ir saglabāti, bet netiek ņemti vērā kā kandidāta atbildes}.',
    en: '{n} {n:event|events} from {from} arrived after the move: kept, but not counted as the candidate\'s answers.',
  },
  addSeats: { lv: 'Pievienot kandidātu datorus', en: 'Add seats' },
  roomAddress: { lv: 'Telpas datora adrese: {address}', en: 'Room computer address: {address}' },
  showCode: { lv: 'Rādīt pievienošanas kodu', en: 'Show a pairing code' },
  newCode: { lv: 'Jauns kods', en: 'New code' },
  stopAdding: { lv: 'Beigt pievienošanu', en: 'Stop adding seats' },
  pairingCodeLabel: { lv: 'Pievienošanas kods', en: 'Pairing code' },
  pairingCodeHelp: { lv: 'Ievadiet šo kodu kandidāta datorā. Kods derīgs vēl {left}; pēc vienas kļūdainas ievades tas mainās.', en: 'Type this code on the seat. It is valid for {left} more; one wrong entry replaces it.' },
  pairingPaused: { lv: 'Pievienošana apturēta pēc {n} kļūdainām ievadēm pēc kārtas. Pārbaudiet, kas mēģina pievienoties, un rādiet jaunu kodu.', en: 'Adding seats paused after {n} wrong entries in a row. Check who is trying to join, then show a new code.' },
  // staff step
  staffTitle: { lv: 'Pārbaudījuma vadītājs: sagatavot vietu', en: 'Invigilator: prepare the seat' },
  staffIntro: { lv: 'Šo soli veic pārbaudījuma vadītājs. Kandidāts gaida.', en: 'This step is for the invigilator. The candidate waits.' },
  staffUsername: { lv: 'Lietotājvārds', en: 'Username' },
  staffPassword: { lv: 'Parole', en: 'Password' },
  signIn: { lv: 'Ienākt', en: 'Sign in' },
  chooseCandidate: { lv: 'Izvēlieties kandidātu', en: 'Choose the candidate' },
  choosePackage: { lv: 'Pārbaudījums', en: 'Test' },
  packageKey: { lv: 'Paketes atslēga', en: 'Package key' },
  packageUnlocked: { lv: 'Pakete jau ir atslēgta.', en: 'The package is already unlocked.' },
  startForCandidate: { lv: 'Sākt kandidātam', en: 'Start for the candidate' },
  level: { lv: 'Līmenis', en: 'Level' },
  room: { lv: 'Sesija', en: 'Session' },
  // identity and instructions
  identityTitle: { lv: 'Pārbaudiet savus datus', en: 'Check your details' },
  name: { lv: 'Vārds, uzvārds', en: 'Name' },
  personalCode: { lv: 'Personas kods', en: 'Personal code' },
  identityQuestion: { lv: 'Vai tie ir jūsu dati?', en: 'Are these your details?' },
  identityYes: { lv: 'Jā, tie ir mani dati', en: 'Yes, these are my details' },
  identityNo: { lv: 'Nē — pasaukšu pārbaudījuma vadītāju', en: 'No — I will call the invigilator' },
  identityWrong: {
    lv: 'Izvēlieties, kas nav pareizi, un atdodiet ekrānu pārbaudījuma vadītājam; tad paceliet roku. Pārbaudījums netiks sākts.',
    en: 'Choose what is not right and hand the screen back to the invigilator; then raise your hand. The test will not start.',
  },
  declineWhat: { lv: 'Kas nav pareizi?', en: 'What is not right?' },
  declineNotMe: { lv: 'Tie vispār nav mani dati', en: 'These are not my details at all' },
  declineName: { lv: 'Vārds vai uzvārds nav mans', en: 'The name is not mine' },
  declinePersonalCode: { lv: 'Personas kods nav mans', en: 'The personal code is not mine' },
  declineLevel: { lv: 'Līmenis nav tas, kuru kārtoju', en: 'The level is not the one I am taking' },
  declineSend: { lv: 'Atdot ekrānu pārbaudījuma vadītājam', en: 'Hand the screen back to the invigilator' },
  declineBack: { lv: 'Atpakaļ — dati tomēr ir pareizi', en: 'Back — the details are right after all' },
  handedBackTitle: { lv: 'Kandidāts norādīja, ka dati nav pareizi', en: 'The candidate said the details are not right' },
  handedBackText: {
    lv: '{name}: {reason}. Pārbaudījums nav sākts, un tas ir ierakstīts kā incidents. Pārbaudiet kandidāta personu apliecinošo dokumentu un atveriet pareizā kandidāta pārbaudījumu.',
    en: "{name}: {reason}. The test has not started, and this is recorded as an incident. Check the candidate's identity document and open the right candidate's test.",
  },
  handedBackNotMe: { lv: 'tie nav kandidāta dati', en: 'these are not the candidate’s details' },
  handedBackName: { lv: 'vārds vai uzvārds nav pareizs', en: 'the name is not right' },
  handedBackPersonalCode: { lv: 'personas kods nav pareizs', en: 'the personal code is not right' },
  handedBackLevel: { lv: 'līmenis nav pareizs', en: 'the level is not right' },
  interfaceLanguage: { lv: 'Saskarnes valoda', en: 'Interface language' },
  interfaceLanguageNote: { lv: 'Uzdevumi vienmēr ir latviešu valodā.', en: 'The tasks are always in Latvian.' },
  instructionsTitle: { lv: 'Norādījumi', en: 'Instructions' },
  howItWorks: {
    lv: 'Katrai daļai ir savs laiks. Atbildes tiek saglabātas uzreiz — augšā redzat, vai tās ir saglabātas. Pabeigtu daļu vairs nevar atvērt. Ar tabulācijas taustiņu (Tab) var pārvietoties pa visām pogām.',
    en: 'Each part has its own time. Answers are saved at once — the top bar shows whether they are saved. A finished part cannot be reopened. The Tab key moves through every button.',
  },
  continue: { lv: 'Turpināt', en: 'Continue' },
  // equipment
  equipmentTitle: { lv: 'Austiņu un mikrofona pārbaude', en: 'Headphones and microphone check' },
  soundTest: { lv: '1. Austiņas', en: '1. Headphones' },
  playTestSound: { lv: 'Atskaņot pārbaudes skaņu', en: 'Play the test sound' },
  heardQuestion: { lv: 'Vai dzirdējāt skaņu?', en: 'Did you hear the sound?' },
  yes: { lv: 'Jā', en: 'Yes' },
  no: { lv: 'Nē', en: 'No' },
  soundOk: { lv: 'Austiņas darbojas.', en: 'The headphones work.' },
  soundNotHeard: { lv: 'Pārbaudiet skaļumu. Ja joprojām nedzirdat, pasauciet pārbaudījuma vadītāju.', en: 'Check the volume. If you still hear nothing, call the invigilator.' },
  micTest: { lv: '2. Mikrofons', en: '2. Microphone' },
  micTestHelp: { lv: 'Nospiediet pogu un 3 sekundes skaļi runājiet, piemēram, nosauciet savu vārdu.', en: 'Press the button and speak aloud for 3 seconds, for example say your name.' },
  recordThree: { lv: 'Ierakstīt 3 sekundes', en: 'Record 3 seconds' },
  recordingNow: { lv: 'Ieraksta… runājiet', en: 'Recording… speak' },
  micLevel: { lv: 'Mikrofona skaļums', en: 'Microphone level' },
  micOk: { lv: 'Mikrofons darbojas.', en: 'The microphone works.' },
  micSilent: { lv: 'Mikrofons nedzird jūsu balsi. Runāšanas daļu nevar sākt. Pasauciet pārbaudījuma vadītāju.', en: 'The microphone does not pick up your voice. The speaking part cannot begin. Call the invigilator.' },
  micMissing: { lv: 'Mikrofons nav pieejams. Runāšanas daļu nevar sākt. Pasauciet pārbaudījuma vadītāju.', en: 'No microphone is available. The speaking part cannot begin. Call the invigilator.' },
  tryAgain: { lv: 'Mēģināt vēlreiz', en: 'Try again' },
  listenBack: { lv: 'Noklausīties ierakstu', en: 'Listen to the recording' },
  // parts
  partOf: { lv: '{n}. daļa no {total}', en: 'Part {n} of {total}' },
  timeForPart: { lv: 'Laiks: {min} {min:minūte|minūtes}', en: 'Time: {min} {min:minute|minutes}' },
  tasksInPart: { lv: 'Uzdevumi: {n}', en: 'Tasks: {n}' },
  startPart: { lv: 'Sākt daļu', en: 'Start the part' },
  startPartNote: { lv: 'Laiks sāks iet, kad nospiedīsiet pogu.', en: 'The time starts when you press the button.' },
  speakingNeedsMic: { lv: 'Runāšanas daļu var sākt tikai ar strādājošu mikrofonu. Pasauciet pārbaudījuma vadītāju.', en: 'The speaking part can begin only with a working microphone. Call the invigilator.' },
  checkMicAgain: { lv: 'Pārbaudīt mikrofonu vēlreiz', en: 'Check the microphone again' },
  timeLeft: { lv: 'Atlikušais laiks', en: 'Time left' },
  timeAdded: {
    lv: 'Pārtraukuma dēļ jūsu laikam {s:pievienota|pievienotas} {s} {s:sekunde|sekundes}.',
    en: '{s} {s:second was|seconds were} added to your time because of the interruption.',
  },
  itemN: { lv: '{n}. jautājums', en: 'Question {n}' },
  itemNofM: { lv: '{n}. jautājums no {total}', en: 'Question {n} of {total}' },
  previous: { lv: 'Iepriekšējais', en: 'Previous' },
  next: { lv: 'Nākamais', en: 'Next' },
  flag: { lv: 'Atzīmēt, lai pārskatītu', en: 'Flag for review' },
  /** The flag's label where the footer is narrow; the whole label stays its accessible name. */
  flagShort: { lv: 'Atzīmēt', en: 'Flag' },
  unflag: { lv: 'Noņemt atzīmi', en: 'Remove the flag' },
  flagged: { lv: 'atzīmēts', en: 'flagged' },
  answered: { lv: 'atbildēts', en: 'answered' },
  unanswered: { lv: 'nav atbildēts', en: 'not answered' },
  current: { lv: 'pašreizējais', en: 'current' },
  overview: { lv: 'Pārskats', en: 'Overview' },
  overviewTitle: { lv: 'Daļas pārskats', en: 'Overview of the part' },
  closeOverview: { lv: 'Aizvērt pārskatu', en: 'Close the overview' },
  itemsNav: { lv: 'Jautājumi šajā daļā', en: 'Questions in this part' },
  answeredCount: { lv: '{a:Atbildēts|Atbildēti} {a} no {total}', en: '{a} of {total} answered' },
  submitPart: { lv: 'Iesniegt daļu', en: 'Submit the part' },
  submitConfirmTitle: { lv: 'Iesniegt daļu „{part}”?', en: 'Submit the part “{part}”?' },
  submitConfirmText: { lv: 'Pēc iesniegšanas šo daļu vairs nevarēs atvērt.', en: 'After submitting you cannot reopen this part.' },
  submitUnanswered: { lv: '{n} {n:jautājums nav atbildēts|jautājumi nav atbildēti}.', en: '{n} {n:question is|questions are} not answered.' },
  submitFlagged: { lv: '{n} {n:jautājums atzīmēts|jautājumi atzīmēti} pārskatīšanai.', en: '{n} {n:question is|questions are} flagged for review.' },
  submitYes: { lv: 'Jā, iesniegt', en: 'Yes, submit' },
  submitNo: { lv: 'Atpakaļ uz daļu', en: 'Back to the part' },
  submitWaitSave: { lv: 'Gaida, kamēr visas atbildes ir saglabātas…', en: 'Waiting until every answer is saved…' },
  timeUp: { lv: 'Šīs daļas laiks beidzās. Jūsu saglabātās atbildes ir iesniegtas.', en: 'The time for this part is over. Your saved answers were submitted.' },
  // saving
  saved: { lv: 'Saglabāts', en: 'Saved' },
  saving: { lv: 'Saglabā…', en: 'Saving…' },
  notSaved: { lv: 'Nav saglabāts — pasauciet pārbaudījuma vadītāju', en: 'Not saved — call the invigilator' },
  savePaused: { lv: 'Tiks saglabāts, kad daļa turpināsies', en: 'Will be saved when the part resumes' },
  notSavedKept: { lv: 'Jūsu atbildes ir šajā ekrānā un tiks saglabātas, tiklīdz savienojums atjaunosies.', en: 'Your answers are kept on this screen and will be saved as soon as the connection returns.' },
  stationLost: { lv: 'Nav savienojuma ar staciju — pasauciet pārbaudījuma vadītāju', en: 'No connection to the station — call the invigilator' },
  // item types
  chooseOne: { lv: 'Izvēlieties vienu atbildi.', en: 'Choose one answer.' },
  chooseN: { lv: 'Izvēlieties {n} {n:atbildi|atbildes}.', en: 'Choose {n} {n:answer|answers}.' },
  tooMany: { lv: 'Var izvēlēties ne vairāk kā {n}.', en: 'You can choose at most {n}.' },
  tfTrue: { lv: 'Pareizi', en: 'True' },
  tfFalse: { lv: 'Nepareizi', en: 'False' },
  tfNotGiven: { lv: 'Nav informācijas', en: 'Not given' },
  statement: { lv: 'Apgalvojums', en: 'Statement' },
  gap: { lv: '{n}. tukšā vieta: {context}', en: 'Gap {n}: {context}' },
  chooseHere: { lv: '— izvēlieties —', en: '— choose —' },
  match: { lv: 'Pāris vienumam: {left}', en: 'Match for: {left}' },
  moveUp: { lv: 'Pārvietot augšup: {x}', en: 'Move up: {x}' },
  moveDown: { lv: 'Pārvietot lejup: {x}', en: 'Move down: {x}' },
  orderHelp: { lv: 'Sakārtojiet ar pogām ↑ un ↓.', en: 'Put them in order with the ↑ and ↓ buttons.' },
  yourAnswer: { lv: 'Jūsu atbilde', en: 'Your answer' },
  charsLeft: { lv: '{n:Atlikusi|Atlikušas} {n} {n:rakstzīme|rakstzīmes}', en: '{n} {n:character|characters} left' },
  numberHelp: {
    lv: 'Rakstiet skaitli, piemēram: 12; −3; 0,5; 1/2. Ja uzdevumā prasīta mērvienība, rakstiet to aiz skaitļa: 12 cm.',
    en: 'Write a number, for example: 12; −3; 0,5 or 0.5; 1/2. If the task asks for a unit, write it after the number: 12 cm.',
  },
  numberHelpUnitShown: { lv: 'Rakstiet tikai skaitli, piemēram: 12; −3; 0,5; 1/2. Mērvienība jau ir norādīta.', en: 'Write the number only, for example: 12; −3; 0,5 or 0.5; 1/2. The unit is already given.' },
  numberUnreadable: { lv: 'Šo atbildi nevar nolasīt kā skaitli. Pārbaudiet, kā tā uzrakstīta.', en: 'This answer cannot be read as a number. Check how it is written.' },
  words: { lv: 'Vārdi: {n}', en: 'Words: {n}' },
  wordsRange: { lv: 'vajag {min}–{max}', en: 'needed {min}–{max}' },
  wordsTooFew: { lv: 'Pārāk maz vārdu', en: 'Too few words' },
  wordsTooMany: { lv: 'Pārāk daudz vārdu', en: 'Too many words' },
  wordsOk: { lv: 'Vārdu skaits atbilst', en: 'Word count fits' },
  pasteBlocked: { lv: 'Šajā pārbaudījumā tekstu ielīmēt nedrīkst. Rakstiet paši.', en: 'Pasting text is not allowed in this test. Type it yourself.' },
  // listening
  play: { lv: '▶ Atskaņot ierakstu', en: '▶ Play the recording' },
  playing: { lv: 'Atskaņo…', en: 'Playing…' },
  playsUsed: { lv: 'Atskaņots {used} no {limit} {limit:reizes|reizēm}', en: 'Played {used} of {limit} {limit:time|times}' },
  playLimit: { lv: 'Ierakstu drīkst atskaņot {limit} {limit:reizi|reizes}.', en: 'The recording may be played {limit} {limit:time|times}.' },
  playsLeftNone: { lv: 'Atskaņošanas reizes ir izmantotas — ierakstu vairs nevar atskaņot.', en: 'No plays are left — the recording cannot be played again.' },
  playReturned: {
    lv: 'Ieraksts nesāka skanēt. Šī atskaņošanas reize netika ieskaitīta — spiediet „Atskaņot” vēlreiz. Ja tas atkārtojas, pasauciet pārbaudījuma vadītāju.',
    en: 'The recording did not start. This play was given back and does not count — press Play again. If it happens again, call the invigilator.',
  },
  playNotReturned: {
    lv: 'Ieraksts nesāka skanēt, un šo atskaņošanas reizi nevarēja atgriezt. Pasauciet pārbaudījuma vadītāju.',
    en: 'The recording did not start, and this play could not be given back. Call the invigilator.',
  },
  leavePlayingTitle: { lv: 'Ieraksts vēl skan', en: 'The recording is still playing' },
  leavePlayingText: {
    lv: 'Ja tagad atstāsiet šo uzdevumu, ieraksts apstāsies un šī atskaņošanas reize būs izmantota. Uz šī uzdevuma jautājumiem varat atbildēt, kamēr ieraksts skan.',
    en: 'If you leave this task now, the recording stops and this play is used up. You can answer this task’s questions while the recording plays.',
  },
  leavePlayingYes: { lv: 'Iet tālāk — reize būs izmantota', en: 'Go on — the play is used up' },
  stayListening: { lv: 'Palikt un klausīties', en: 'Stay and listen' },
  audioProgress: { lv: 'Atskaņošanas gaita', en: 'Playback progress' },
  // speaking
  prepTime: { lv: 'Sagatavošanās laiks: {s} s', en: 'Preparation time: {s} s' },
  responseTime: { lv: 'Atbildes laiks: {s} s', en: 'Answer time: {s} s' },
  startPreparation: { lv: 'Sākt sagatavošanos', en: 'Start preparing' },
  preparing: { lv: 'Sagatavojieties. Ieraksts sāksies pēc {s} s.', en: 'Prepare. Recording starts in {s} s.' },
  recordingStartsIn: { lv: 'Ieraksts sāksies pēc {s} {s:sekundes|sekundēm}.', en: 'Recording starts in {s} {s:second|seconds}.' },
  startNow: { lv: 'Sākt runāt tagad', en: 'Start speaking now' },
  recording: { lv: 'Ieraksta. Runājiet! {s:Atlikusi|Atlikušas} {s} s.', en: 'Recording. Speak! {s} s left.' },
  secondsLeft: { lv: '{s:Atlikusi|Atlikušas} {s} {s:sekunde|sekundes}.', en: '{s} {s:second|seconds} left.' },
  stopRecording: { lv: 'Beigt runāt', en: 'Finish speaking' },
  finishingRecording: { lv: 'Saglabā ierakstu…', en: 'Saving the recording…' },
  recorded: { lv: 'Atbilde ierakstīta ({s} s).', en: 'Answer recorded ({s} s).' },
  recordAgain: { lv: 'Ierakstīt vēlreiz', en: 'Record again' },
  takesAllowed: { lv: 'Šo atbildi drīkst ierakstīt {n} {n:reizi|reizes}; {left:atlikusi|atlikušas} {left}.', en: 'This answer may be recorded {n} {n:time|times}; {left} left.' },
  takesLeft: { lv: 'Atļauts ierakstīt vēl {n} {n:reizi|reizes}.', en: 'You may record {n} more {n:time|times}.' },
  lastTake: { lv: 'Šis būs pēdējais ieraksts: pēc tā atbildi vēlreiz ierakstīt nevarēs.', en: 'This will be the last take: after it the answer cannot be recorded again.' },
  lastTakeConfirmTitle: { lv: 'Beigt pēdējo ierakstu?', en: 'End the last take?' },
  lastTakeConfirmText: {
    lv: 'Šis ir pēdējais atļautais ieraksts. Ja to beigsiet tagad, atbildi vēlreiz ierakstīt nevarēs. Jums vēl ir {s} s.',
    en: 'This is the last take allowed. If you end it now, the answer cannot be recorded again. You still have {s} s.',
  },
  lastTakeYes: { lv: 'Jā, beigt runāt', en: 'Yes, finish speaking' },
  lastTakeNo: { lv: 'Turpināt runāt', en: 'Keep speaking' },
  noRerecord: { lv: 'Šo atbildi vēlreiz ierakstīt nevar.', en: 'This answer cannot be recorded again.' },
  silentWarning: { lv: 'Ierakstā gandrīz nav dzirdama balss.', en: 'Hardly any voice can be heard in the recording.' },
  shortWarning: { lv: 'Atbilde ir ļoti īsa.', en: 'The answer is very short.' },
  leaveAnyway: { lv: 'Tomēr iet tālāk', en: 'Go on anyway' },
  stayHere: { lv: 'Palikt pie uzdevuma', en: 'Stay on the task' },
  leaveWarningTitle: { lv: 'Pārbaudiet savu atbildi', en: 'Check your answer' },
  stationRestarting: {
    lv: 'Stacijas programma tiek palaista no jauna. Jūsu atbildes ir drošībā; turpiniet darbu, tās tiks saglabātas.',
    en: 'The station program is starting again. Your answers are safe; carry on, they will be saved.',
  },
  interrupted: { lv: 'Ieraksts tika pārtraukts. Saglabātā daļa ir drošībā; ierakstiet atbildi vēlreiz.', en: 'The recording was interrupted. The saved part is safe; record your answer again.' },
  savedSecondsOf: { lv: 'Saglabāts: {n} s ieraksta', en: 'Stored: {n} s of audio' },
  busyRecording: { lv: 'Ieraksta laikā pāriet uz citu jautājumu nevar.', en: 'You cannot move to another question while recording.' },
  // a pause by the invigilator
  pausedTitle: { lv: 'Pārbaudījuma vadītājs apturēja pārbaudījumu', en: 'The invigilator has paused the test' },
  pausedText: {
    lv: 'Laiks netiek skaitīts, un jūsu atbildes ir drošībā. Palieciet savā vietā un gaidiet: darbs turpināsies tieši no šīs vietas, kad pārbaudījuma vadītājs to atsāks.',
    en: 'The time is not counting, and your answers are safe. Stay in your seat and wait: you will carry on from exactly here when the invigilator resumes the test.',
  },
  pausedTimeLeft: { lv: 'Atlikušais laiks, apturēts: {time}', en: 'Time left, stopped: {time}' },
  // end
  endTitle: { lv: 'Pārbaudījums ir pabeigts', en: 'The test is finished' },
  endText: { lv: 'Paldies! Jūsu atbildes ir saglabātas. Rezultātus uzzināsiet vēlāk. Varat pacelt roku un gaidīt pārbaudījuma vadītāju.', en: 'Thank you! Your answers are saved. You will get the results later. You may raise your hand and wait for the invigilator.' },
  endPart: { lv: '{part}: {a:atbildēts|atbildēti} {a} no {total} {total:jautājuma|jautājumiem}', en: '{part}: {a} of {total} {total:question|questions} answered' },
  nextCandidate: { lv: 'Pārbaudījuma vadītājs: nākamais kandidāts', en: 'Invigilator: next candidate' },
  // settings
  settings: { lv: 'Iestatījumi', en: 'Settings' },
  textSize: { lv: 'Teksta lielums', en: 'Text size' },
  sizeNormal: { lv: 'Parasts', en: 'Normal' },
  sizeLarge: { lv: 'Liels', en: 'Large' },
  sizeLarger: { lv: 'Ļoti liels', en: 'Very large' },
  highContrast: { lv: 'Augsts kontrasts', en: 'High contrast' },
  close: { lv: 'Aizvērt', en: 'Close' },
} as const satisfies Record<string, BilingualText>;

export type TextKey = keyof typeof TEXT;

/**
 * `{name}` is replaced by the value; `{name:one|other}` is the form of a counted word that fits the
 * number `name`, chosen by Intl.PluralRules of the language ("1 reizi", "21 reizi", "2 reizes";
 * "1 time", "2 times"). Latvian's third category, zero (0, 10–20, 30, …), takes the same forms as
 * other ("0 reizes", "11 reizes"), so two forms are enough in both languages. A value that is no
 * number (a range such as "1–3") takes the other form.
 */
const PLACEHOLDER = /\{(\w+)(?::([^|{}]*)\|([^{}]*))?\}/g;

const pluralRules = new Map<UiLanguage, Intl.PluralRules>();

/** The form of a counted word for `n` in the language. */
export function plural(lang: UiLanguage, n: unknown, one: string, other: string): string {
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  return typeof n === 'number' && rules.select(n) === 'one' ? one : other;
}

/** The text split around its values, so a value can be something other than a string (an element with its own `lang`). */
export function fill<V>(lang: UiLanguage, key: TextKey, vars: Record<string, string | number | V> = {}): (string | V)[] {
  const text: string = TEXT[key][lang];
  const out: (string | V)[] = [];
  let at = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const [whole, name = '', one, other] = match;
    out.push(text.slice(at, match.index));
    at = match.index + whole.length;
    const value = vars[name];
    if (one !== undefined && other !== undefined) out.push(plural(lang, value, one, other));
    else if (value === undefined) out.push(whole);
    else out.push(typeof value === 'number' ? String(value) : value);
  }
  out.push(text.slice(at));
  return out.filter((part) => part !== '');
}

export function translate(lang: UiLanguage, key: TextKey, vars?: Record<string, string | number>): string {
  return fill<never>(lang, key, vars).join('');
}
