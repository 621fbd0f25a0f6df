/* SPDX-License-Identifier: MIT */
/* Every word the screens show, in English and Simplified Chinese. */
#ifndef BOOTH_UI_STRINGS_H
#define BOOTH_UI_STRINGS_H

#include <stddef.h>

enum ui_lang {
	UI_LANG_EN,
	UI_LANG_ZH,
	UI_LANG_COUNT,
};

enum ui_str {
	STR_DEFAULT_TITLE,
	STR_TOUCH_TO_START,
	STR_OR_BUTTON,
	STR_OTHER_LANGUAGE, /* the language switch: names the other language in its own words */
	STR_PHOTO_N_OF_M,   /* printf: shot, shots */
	STR_LOOK_HERE,
	STR_SMILE,
	STR_PROCESSING,
	STR_PROCESSING_SUB,
	STR_REVIEW_TITLE,
	STR_PRINT,
	STR_RETAKE,
	STR_DISCARD,
	STR_REVIEW_SECONDS, /* printf: seconds left */
	STR_PRINTING,
	STR_PRINTING_SUB,
	STR_DONE,
	STR_DONE_SUB,
	STR_FAILED,
	STR_FAILED_SUB,
	STR_NO_PREVIEW,
	STR_ATT_PAPER,
	STR_ATT_RIBBON,
	STR_ATT_PRINTER_OFFLINE,
	STR_ATT_PRINTER_STOPPED,
	STR_ATT_CAMERA,
	STR_ATT_DISK,
	STR_ATT_PAUSED,
	STR_ATT_OUT_OF_ORDER,
	STR_ATT_SUB,
	STR_PRINTING_PAUSED,
	STR_ATT_PRINTER,   /* printing required and impossible, no more specific reason */
	STR_PRINT_WAITING, /* the job is held: the printer cannot take it yet */
	STR_PRINT_PRINTED,
	STR_PRINT_FAILED,
	STR_COPIES, /* printf: copies */
	STR_OWNER_PIN,
	STR_PIN_WRONG,
	STR_PIN_LOCKED, /* printf: seconds */
	STR_OK,
	STR_DELETE,
	STR_CLOSE,
	STR_BACK,
	STR_OWNER_MENU,
	STR_PAUSE_BOOTH,
	STR_RESUME_BOOTH,
	STR_LAYOUT,
	STR_CHOOSE_LAYOUT,
	STR_TEST_PRINT,
	STR_NETWORK,
	STR_HOST_NAME,
	STR_NO_ADDRESS,
	STR_DELETE_LAST,   /* the menu's entry */
	STR_DELETE_LAST_Q, /* its confirmation's question */
	STR_DELETE_LAST_WHAT,
	STR_PURGE_EVENT,
	STR_PURGE_EVENT_Q,
	STR_PURGE_EVENT_WHAT,
	STR_CANNOT_UNDO,
	STR_CONFIRM_DELETE, /* the confirmation's Delete button */
	STR_KEEP,
	STR_DELETED,
	STR_COUNT,
};

/* The text of ID in LANG (UTF-8, static). */
const char *ui_str(enum ui_lang lang, enum ui_str id);

/* The text of ID in LANG with each "%d" replaced by the next of the N numbers ARGS, into BUF of
 * SIZE bytes (truncated at a character boundary if too long). Returns BUF. */
char *ui_str_format(enum ui_lang lang, enum ui_str id, const int *args, int n, char *buf,
		    size_t size);

/* "en" or "zh" for LANG. */
const char *ui_lang_name(enum ui_lang lang);
/* The language named NAME ("en", "zh"), or -EINVAL. */
int ui_lang_parse(const char *name);

#endif
